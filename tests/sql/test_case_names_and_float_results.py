"""A CASE named after its ELSE value, ``array_replace`` replacing every match, base-10 logarithms
exact at powers of ten, the sum of a real as a real, and computed floats made text as PostgreSQL
writes them: answers, names and wire types compared with PostgreSQL 16."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE t (id int PRIMARY KEY, a int, s text, r real, d float8)",
    "INSERT INTO t VALUES (1, -7, 'x', 0.1, 1.5), (2, 2, 'y', 0.2, NULL), (3, 5, NULL, 0.7, -2)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT CASE WHEN a < 0 THEN 0 ELSE a END FROM t ORDER BY id",
        "SELECT CASE WHEN a < 0 THEN 'neg' ELSE upper(s) END FROM t ORDER BY id",
        "SELECT CASE a WHEN 2 THEN 'two' ELSE s END FROM t ORDER BY id",
        "SELECT CASE WHEN a < 0 THEN s ELSE s::varchar END FROM t ORDER BY id",
        "SELECT CASE WHEN a < 0 THEN 'n' ELSE (SELECT max(s) FROM t) END FROM t ORDER BY id",
        "SELECT CASE WHEN a < 0 THEN 'n' END, CASE WHEN a < 0 THEN 'n' ELSE 'p' END FROM t ORDER BY id",
        "SELECT CASE WHEN a < 0 THEN 'n' ELSE '5'::text END FROM t ORDER BY id",
        "SELECT CASE WHEN a > 0 THEN s ELSE CASE WHEN a < -5 THEN 'low' ELSE s END END FROM t ORDER BY id",
    ],
)
def test_case_is_named_as_postgres_names_it(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)


def test_array_replace_replaces_every_match(both):
    sql = "SELECT array_replace(ARRAY[1, 2, 1, 1], 1, 9), array_replace(ARRAY['a', 'b', 'a'], 'a', NULL)"
    lake, postgres = both.answers(sql)
    assert (
        (lake.names, lake.rows)
        == (postgres.names, postgres.rows)
        == (
            ["array_replace", "array_replace"],
            [([9, 2, 9, 9], [None, "b", None])],
        )
    )


def test_base_ten_logarithms_are_exact_at_powers_of_ten(both):
    lake, postgres = both.answers("SELECT log10(1000), log(1e6::float8), log10(0.001::float8), log10(r * 100) FROM t")
    assert (lake.names, lake.type_oids) == (postgres.names, postgres.type_oids)
    assert [row[:3] for row in lake.rows] == [row[:3] for row in postgres.rows] == [(3.0, 6.0, -3.0)] * 3


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT sum(r) FROM t",
        "SELECT sum(r) FILTER (WHERE a > 0), sum(a::real), sum(r::float8) > 0.99 FROM t",
        "SELECT id, sum(r) OVER (ORDER BY id) FROM t ORDER BY id",
        "SELECT a > 0 AS positive, sum(r) FROM t GROUP BY 1 ORDER BY 1",
        "SELECT sum(r) + 1, sum(r * 2), max(r) * 2, abs(r) + a FROM t GROUP BY r, a ORDER BY r",
        "SELECT id, r * 10, r + a, r - 0.5, -r, r * r, r / 2, sum(r) OVER (ORDER BY id) + 0 FROM t ORDER BY id",
    ],
)
def test_real_arithmetic_as_postgres_types_it(both, sql):
    """sum(real) and reals among themselves are real; a real with an integer or numeric is float8."""
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT (r * 2)::text, (a * 1.5::float8)::text, (r / 4)::text, (-r)::text FROM t ORDER BY id",
        "SELECT sum(r)::text, min(r)::text, max(r * 10)::text, avg(a::float8)::text FROM t",
        "SELECT 'total ' || sum(a::float8), concat(avg(r), '/', sum(r)), sqrt(sum(a * a::float8))::text FROM t",
        "SELECT round(r)::text, ceil(r)::text, power(a::float8, 2)::text, (a::float8 ^ 2)::text FROM t ORDER BY id",
    ],
)
def test_computed_floats_as_text(both, sql):
    """``2`` and ``0.3``, as float8out and float4out write them, not ``2.0``."""
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT greatest(d, 1.0), least(d, 1.0, 2.5), coalesce(d, 0.5), nullif(d, 1.5), coalesce(r, 0.5) FROM t"
        " ORDER BY id",
        "SELECT CASE WHEN a > 1 THEN d ELSE 0.5 END, CASE WHEN a > 1 THEN 0.25 ELSE r END FROM t ORDER BY id",
    ],
)
def test_decimal_constants_beside_a_float_are_floats(both, sql):
    """PostgreSQL resolves GREATEST, LEAST, COALESCE, NULLIF and CASE of a float and 0.5 to the float's type."""
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
