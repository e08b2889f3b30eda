"""make_date, make_timestamp, make_timestamptz, make_time and make_interval (positional and with
named arguments) as PostgreSQL builds them: the values, their types and names, NULL in, NULL out;
and a field out of range is 22008, an unknown zone 22023, an argument name no parameter has 42883.
Compared with PostgreSQL 16."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE parts (id int PRIMARY KEY, y int, mo int, d int, h int, mi int, s float8)",
    "INSERT INTO parts VALUES (1, 2024, 2, 29, 23, 59, 59.5), (2, 1999, 12, 31, 0, 0, 0), (3, NULL, 1, 1, 1, 1, 1)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, make_date(y, mo, d), make_timestamp(y, mo, d, h, mi, s), make_time(h, mi, s) FROM parts ORDER BY id",
        "SELECT id, make_timestamptz(y, mo, d, h, mi, s), make_timestamptz(y, mo, d, h, mi, s, 'Europe/Paris'),"
        " make_timestamptz(y, mo, d, h, mi, s, '+05') FROM parts ORDER BY id",
        "SELECT make_interval(1, 2, 3, 4, 5, 6, 7.5), make_interval(1), make_interval(0, 0, 0, 0, 0, 0, 1.0000005)",
        "SELECT make_interval(days => 3), make_interval(secs => 1.5, weeks => 1), make_interval(hours => 1, mins => 30)",
        "SELECT make_timestamp(2024, 1, 1, 23, 59, 60), make_time(3, 4, 5.1234567), make_date(2024, 2, 29)",
        "SELECT pg_typeof(make_timestamp(2024, 1, 1, 1, 1, 1))::text, pg_typeof(make_time(1, 1, 1))::text,"
        " pg_typeof(make_interval(1))::text, pg_typeof(make_timestamptz(2024, 1, 1, 1, 1, 1))::text,"
        " pg_typeof(make_date(1, 1, 1))::text",
        "SELECT id FROM parts WHERE make_date(y, mo, d) > DATE '2000-01-01' ORDER BY id",
    ],
)
def test_constructed_values_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql, sqlstate",
    [
        ("SELECT make_date(2024, 2, 30)", "22008"),
        ("SELECT make_date(0, 1, 1)", "22008"),
        ("SELECT make_timestamp(2024, 13, 1, 1, 2, 3)", "22008"),
        ("SELECT make_timestamp(2024, 1, 1, 25, 0, 0)", "22008"),
        ("SELECT make_timestamp(2024, 1, 1, 23, 59, 60.5)", "22008"),
        ("SELECT make_timestamp(2024, 1, 1, 1, 2, -1)", "22008"),
        ("SELECT make_time(3, 60, 0)", "22008"),
        ("SELECT make_timestamptz(2024, 1, 2, 3, 4, 5, 'Nowhere/Zone')", "22023"),
        ("SELECT make_timestamp(y, 2, 30, 0, 0, 0) FROM parts", "22008"),
        ("SELECT make_interval(nope => 1)", "42883"),
        ("SELECT upper(s => 'a')", "42883"),
    ],
)
def test_fields_out_of_range_as_postgres(both, sql, sqlstate):
    assert both.sqlstates(sql) == (sqlstate, sqlstate)


def test_an_error_names_the_value_as_postgres(both):
    messages = []
    for conn in (both.lake, both.postgres):
        try:
            conn.execute("SELECT make_timestamp(2024, 2, 30, 1, 2, 3)")
        except Exception as err:  # noqa: BLE001 - psycopg's error of either server
            messages.append(str(err).splitlines()[0])
    assert messages == ["date field value out of range: 2024-02-30"] * 2
