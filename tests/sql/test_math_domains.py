"""Logarithms, exponentials, powers and inverse sines bounded as PostgreSQL bounds them: 2201E for
the logarithm of zero or of a negative number, 2201F for a power PostgreSQL leaves undefined, 22003
for a float8 result out of range and for an inverse sine's argument outside [-1, 1]; and what
stays in range answers as before, names included. Compared with PostgreSQL 16."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE m (id int PRIMARY KEY, x float8, y float8, i int)",
    "INSERT INTO m VALUES (1, 2.5, 0.5, 3), (2, NULL, -1, 0), (3, 100, 1, -2)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, ln(x), log(x), log10(x), exp(y), power(x, 2), x ^ 2, pow(x, i), acos(y), asin(y) FROM m ORDER BY id",
        "SELECT power(i, 2), 2 ^ i, power(-8, 3), power(0, 0), exp(0), log(2.0, 64.0) > 5.99 FROM m ORDER BY id",
        "SELECT power('NaN'::float8, 0), power(1, 'NaN'::float8), ln('NaN'::float8)::text, acos('NaN'::float8)::text",
        "SELECT sum(ln(x)) FROM m WHERE x > 0",
        "SELECT id FROM m WHERE x IS NOT NULL AND ln(x) > 1 ORDER BY id",
    ],
)
def test_values_in_range_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql, sqlstate",
    [
        ("SELECT ln(0)", "2201E"),
        ("SELECT ln(-1)", "2201E"),
        ("SELECT log(0)", "2201E"),
        ("SELECT log10(-5)", "2201E"),
        ("SELECT ln(0::numeric)", "2201E"),
        ("SELECT log(0, 5)", "2201E"),
        ("SELECT log(1, 5)", "22012"),
        ("SELECT ln(i) FROM m", "2201E"),
        ("SELECT power(-8, 0.5)", "2201F"),
        ("SELECT (-8)::float8 ^ (1.0 / 3)", "2201F"),
        ("SELECT power(0::float8, -2)", "2201F"),
        ("SELECT exp(1000)", "22003"),
        ("SELECT power(10::float8, 400)", "22003"),
        ("SELECT acos(2)", "22003"),
        ("SELECT asin(y * 3) FROM m", "22003"),
        ("SELECT factorial(-1)", "22003"),
        ("SELECT split_part('a,b', ',', 0)", "22023"),
    ],
)
def test_out_of_domain_and_range_as_postgres(both, sql, sqlstate):
    assert both.sqlstates(sql) == (sqlstate, sqlstate)
    assert both.answers("SELECT count(*) FROM m")[0].rows == [(3,)]  # the session goes on
