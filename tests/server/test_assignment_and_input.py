"""What a column of one type takes from values of another, as PostgreSQL 16 decides.

Assignment (INSERT, UPDATE): numbers among themselves, dates and timestamps among themselves,
anything into text; every other pair is 42804 and nothing is written. Text (a quoted literal or a
text parameter) goes through the column type's input function: ``'yes'`` is a boolean, ``'3:04 PM'``
a time, ``'Jan 2, 2024'`` a date. Each assertion runs against agentlake and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import psycopg
import pytest

from .reference_postgres import target  # noqa: F401 - fixture

REFUSED = [
    ("i", [dt.date(2024, 1, 2)]),
    ("i", [True]),
    ("b", [5]),
    ("d", [12]),
    ("raw", [7]),
    ("n", [dt.date(2024, 1, 2)]),
    ("ts", [3.5]),
]

STORED = [
    ("d", dt.datetime(2024, 1, 2, 3, 4, 5), dt.date(2024, 1, 2)),
    ("ts", dt.date(2024, 1, 2), dt.datetime(2024, 1, 2)),
    ("s", dt.date(2024, 1, 2), "2024-01-02"),
    ("s", dt.datetime(2024, 1, 2, 3, 4, 5), "2024-01-02 03:04:05"),
    ("s", True, "true"),
    ("s", 12, "12"),
    ("i", Decimal("5"), 5),
    ("i", 2.5, 2),
    ("tm", dt.datetime(2024, 1, 2, 3, 4, 5), dt.time(3, 4, 5)),
]

TEXT_INPUT = [
    ("b", "yes", "true"),
    ("b", " TRUE ", "true"),
    ("b", "of", "false"),
    ("b", "N", "false"),
    ("b", "1", "true"),
    ("tm", "03:04", "03:04:00"),
    ("tm", "3:04 PM", "15:04:00"),
    ("tm", "15:04:05.5+02", "15:04:05.5"),
    ("tm", "allballs", "00:00:00"),
    ("d", "2024-1-2", "2024-01-02"),
    ("d", "January 8, 1999", "1999-01-08"),
    ("d", "epoch", "1970-01-01"),
    ("ts", "2024-01-02 03:04", "2024-01-02 03:04:00"),
    ("ts", "2024-01-02 03:04:05 PM", "2024-01-02 15:04:05"),
    ("ts", "2024-01-02 03:04:05+02", "2024-01-02 03:04:05"),
]

BAD_TEXT = [("b", "maybe", "22P02"), ("b", "o", "22P02"), ("d", "x", "22007"), ("ts", "5", "22007")]

CASTS = [
    ("'yes'::boolean", True),
    ("'2024-01-02 03:04'::timestamp", dt.datetime(2024, 1, 2, 3, 4)),
    ("'3:04 PM'::time", dt.time(15, 4)),
    ("'Jan 2, 2024'::date", dt.date(2024, 1, 2)),
    ("'today'::date = current_date", True),
    ("'now'::timestamptz <= now()", True),
    ("'epoch'::timestamp", dt.datetime(1970, 1, 1)),
]


@pytest.fixture
def table(target) -> str:
    name = f"kinds_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE {name} (id serial, i int, b bool, d date, s text, raw bytea, ts timestamp, tm time,"
            " n numeric(10, 2))"
        )
    return name


def _last(conn, table: str, column: str):
    return conn.execute(f"SELECT {column} FROM {table} ORDER BY id DESC LIMIT 1").fetchone()[0]


@pytest.mark.parametrize("column, params", REFUSED)
def test_values_of_another_kind_are_refused(target, table, column, params):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.DatatypeMismatch) as err:
            conn.execute(f"INSERT INTO {table} ({column}) VALUES (%s)", params)
        assert f'column "{column}" is of type' in str(err.value)
        with pytest.raises(psycopg.errors.DatatypeMismatch):
            conn.execute(f"INSERT INTO {table} ({column}) SELECT %s", params)
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)


def test_update_from_a_column_of_another_kind_is_refused(target, table):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        conn.execute(f"INSERT INTO {table} (i, b, d) VALUES (1, true, '2024-01-02')")
        for assignment in ("b = i", "i = b", "i = d", "d = i", "i = current_date"):
            with pytest.raises(psycopg.errors.DatatypeMismatch):
                conn.execute(f"UPDATE {table} SET {assignment}")
        assert conn.execute(f"SELECT i, b, d FROM {table}").fetchone() == (1, True, dt.date(2024, 1, 2))
        conn.execute(f"UPDATE {table} SET s = b, ts = d")
        assert conn.execute(f"SELECT s, ts FROM {table}").fetchone() == ("true", dt.datetime(2024, 1, 2))


@pytest.mark.parametrize("column, value, stored", STORED)
def test_values_postgres_converts_on_assignment(target, table, column, value, stored):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        conn.execute(f"INSERT INTO {table} ({column}) VALUES (%s)", [value])
        assert _last(conn, table, column) == stored


@pytest.mark.parametrize("column, value, text", TEXT_INPUT)
def test_text_is_read_by_the_column_types_input_function(target, table, column, value, text):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        conn.execute(f"INSERT INTO {table} ({column}) VALUES ('{value}')")
        assert _last(conn, table, column) == conn.execute(f"SELECT '{text}'::{_type(column)}").fetchone()[0]


@pytest.mark.parametrize("column, value, sqlstate", BAD_TEXT)
def test_bad_text_is_refused_with_the_input_functions_sqlstate(target, table, column, value, sqlstate):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        with pytest.raises(psycopg.Error) as err:
            conn.execute(f"INSERT INTO {table} ({column}) VALUES ('{value}')")
        assert err.value.sqlstate == sqlstate
        assert "invalid input syntax for type" in str(err.value)


@pytest.mark.parametrize("expression, value", CASTS)
def test_quoted_constants_cast_as_postgres_reads_them(target, expression, value):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        assert conn.execute(f"SELECT {expression}").fetchone()[0] == value


def _type(column: str) -> str:
    return {"b": "boolean", "tm": "time", "d": "date", "ts": "timestamp"}[column]


def test_quoted_arrays_are_read_by_the_array_input_function(target):
    name = f"arrays_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {name} (id int, i int[], r real[], s text[], b bool[])")
        conn.execute(
            f"INSERT INTO {name} VALUES (1, '{{1, 2}}', '{{1.5,NULL}}', '{{a,\"b c\",NULL}}', '{{t,yes,f}}'),"
            " (2, '{}', NULL, '{x,y}', NULL)"
        )
        conn.execute(f"INSERT INTO {name} (id, s) VALUES (3, %s)", ["{p,q}"])
        assert conn.execute(f"SELECT i, r, s, b FROM {name} ORDER BY id").fetchall() == [
            ([1, 2], [1.5, None], ["a", "b c", None], [True, True, False]),
            ([], None, ["x", "y"], None),
            (None, None, ["p", "q"], None),
        ]
        for bad in ("'1,2'", "'{1,x}'"):
            with pytest.raises(psycopg.Error) as err:
                conn.execute(f"INSERT INTO {name} (id, i) VALUES (4, {bad})")
            assert err.value.sqlstate == "22P02"
        assert conn.execute(f"SELECT count(*) FROM {name}").fetchone() == (3,)
