"""Casts to smallint, integer and bigint round as PostgreSQL 16 rounds: numeric half away from
zero, float8 and real half to even (DataFusion's casts truncated: ``price::int`` of 2.50 was 2);
``round()`` of a float8 rounds half to even too (DataFusion's rounded half away from zero); ceil,
floor, trunc and sign of a numeric are numerics.
So do the values INSERT and UPDATE store into integer columns, with 22003 where they do not fit."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE readings (id int PRIMARY KEY, price numeric(10,2), ratio float8, r4 real, n int)",
    "INSERT INTO readings VALUES (1, 2.50, 2.5, 2.5, 1), (2, -3.50, 3.5, -0.5, 2), (3, 1.49, -2.5, 1.5, 4),"
    " (4, 0.51, 0.49999, -1.5, 7), (5, NULL, NULL, NULL, NULL)",
    "CREATE TABLE counts (id int PRIMARY KEY, n int, b bigint, s smallint)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, price::int, price::bigint, price::smallint, CAST(price AS integer) FROM readings ORDER BY id",
        "SELECT id, ratio::int, ratio::bigint, r4::int, r4::smallint FROM readings ORDER BY id",
        "SELECT id, (price * 3)::int, (ratio * 2 + 0.5)::int, (-price)::int, (n / 2.0)::int FROM readings ORDER BY id",
        "SELECT avg(n)::int, sum(price)::int, max(ratio)::int, min(r4)::int FROM readings",
        "SELECT id, abs(price)::int, sqrt(n)::int FROM readings ORDER BY id",
        "SELECT 2.5::float8::int, 3.5::float8::int, (-2.5)::numeric::int, 2.5::int, 0.5::real::int",
        "SELECT id FROM readings WHERE price::int = 3 OR ratio::int = 4 ORDER BY id",
        "SELECT '42'::int, n::int, n::bigint FROM readings ORDER BY id",
        "SELECT id, round(ratio), round(price), round(price, 1), round(ratio * 2) FROM readings ORDER BY id",
        "SELECT round(2.5::float8), round(-0.5::float8), round(1.5::float8), round(2.5), round(-2.5)",
        "SELECT round(avg(ratio)), round(sum(price)), round(max(r4)) FROM readings",
    ],
)
def test_integer_casts_round_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, ceil(price), floor(price), trunc(price), trunc(price, 1), sign(price), ceiling(-price)"
        " FROM readings ORDER BY id",
        "SELECT ceil(1.2), floor(-1.2), trunc(-1.7), trunc(1.789, 2), sign(-2.5), sign(0.0), trunc(-(1.5))",
        "SELECT id, ceil(ratio), floor(r4), trunc(ratio), sign(ratio), ceil(n), trunc(n) FROM readings ORDER BY id",
        "SELECT id, ceil(price * 3), floor(price / 3), trunc(price)::text, ceil(1.2)::int FROM readings ORDER BY id",
        "SELECT ceil(avg(price)), floor(sum(price)), trunc(max(price), 1) FROM readings",
    ],
)
def test_integral_parts_of_numerics_are_numerics_as_postgres(both, sql):
    """ceil, floor, trunc and sign of a numeric are numerics of scale 0 (DataFusion kept 3.00, or
    answered a float for a decimal constant); of a float, floats."""
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
    assert [str(v) for row in lake.rows for v in row] == [str(v) for row in postgres.rows for v in row]


def test_stored_values_round_as_postgres(both):
    for statement in [
        "INSERT INTO counts VALUES (1, 2.5, 3.5, -2.5), (2, 7, 2.4999, 0.5)",
        "INSERT INTO counts VALUES (3, 2.5::float8, 3.5::real, 0.5::float8)",
        "INSERT INTO counts SELECT id + 10, price, ratio, r4 FROM readings WHERE price IS NOT NULL",
        "UPDATE counts SET n = 4.5, s = -0.5 WHERE id = 2",
    ]:
        both.execute(statement)
    lake, postgres = both.answers("SELECT * FROM counts ORDER BY id")
    assert lake.rows == postgres.rows


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO counts VALUES (100, 3000000000)",
        "INSERT INTO counts VALUES (101, 3e9)",
        "INSERT INTO counts VALUES (102, 1, 9223372036854775808)",
        "INSERT INTO counts VALUES (103, 1, 1, 40000.4)",
        "INSERT INTO counts VALUES (104, 'NaN'::float8)",
        "UPDATE readings SET n = 3000000000 WHERE id = 1",
    ],
)
def test_out_of_range_as_postgres(both, sql):
    assert both.sqlstates(sql) == ("22003", "22003")
