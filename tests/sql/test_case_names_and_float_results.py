"""A CASE named after its ELSE value, ``array_replace`` replacing every match, base-10 logarithms
exact at powers of ten, and the sum of a real as a real: answers, names and wire types compared
with PostgreSQL 16."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE t (id int PRIMARY KEY, a int, s text, r real)",
    "INSERT INTO t VALUES (1, -7, 'x', 0.1), (2, 2, 'y', 0.2), (3, 5, NULL, 0.7)",
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
    ],
)
def test_sum_of_a_real_is_a_real(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
