"""Values printed as PostgreSQL 16 prints them: dates and times made text inside SQL (casts, ``||``,
``concat``), and unconstrained ``numeric`` columns without their storage's trailing zeros (text and
binary results, pg_catalog's typmod). Each assertion runs against agentlake and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
import uuid

import asyncpg
import psycopg
import pytest

import agentlake

from .reference_postgres import target  # noqa: F401 - fixture

TEXTS = [
    ("ts::text", "2024-01-02 03:04:05.5"),
    ("tz::text", "2024-01-02 01:04:05+00"),
    ("d::text", "2024-01-02"),
    ("tm::text", "03:04:05.5"),
    ("b::text", "true"),
    ("true::text", "true"),
    ("CAST(ts AS varchar)", "2024-01-02 03:04:05.5"),
    ("CAST(tz AS text)", "2024-01-02 01:04:05+00"),
    ("ts || ''", "2024-01-02 03:04:05.5"),
    ("'at ' || tz", "at 2024-01-02 01:04:05+00"),
    ("concat(ts, '|', tz, '|', d)", "2024-01-02 03:04:05.5|2024-01-02 01:04:05+00|2024-01-02"),
    ("concat_ws(',', d, tm)", "2024-01-02,03:04:05.5"),
    ("'2024-01-02 03:04:05.25'::timestamp::text", "2024-01-02 03:04:05.25"),
    ("'2024-01-02 03:04:05'::timestamptz::text", "2024-01-02 03:04:05+00"),
    ("'2024-01-02'::date::text", "2024-01-02"),
    ("'03:04:05.125'::time::text", "03:04:05.125"),
    ("n::text", "1.5"),
    ("n2::text", "1.50"),
    ("n || ''", "1.5"),
]

NOW_TEXTS = [
    ("now()::text", r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?\+00"),
    ("current_timestamp::text", r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?\+00"),
    ("localtimestamp::text", r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?"),
    ("current_date::text", r"\d{4}-\d\d-\d\d"),
]

NUMBERS = ["1.5", "10", "0", "0.0000001", "-2.25", "123456789.123456789"]


@pytest.fixture
def table(target) -> str:
    name = f"texts_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE {name} (ts timestamp, tz timestamptz, d date, tm time, b boolean, n numeric,"
            " n2 numeric(10, 2))"
        )
        conn.execute(
            f"INSERT INTO {name} VALUES ('2024-01-02 03:04:05.5', '2024-01-02 03:04:05+02', '2024-01-02',"
            " '03:04:05.5', true, 1.5, 1.5)"
        )
    return name


def _connect(target) -> psycopg.Connection:
    conn = psycopg.connect(target.dsn, autocommit=True)
    conn.execute("SET TimeZone = 'UTC'")
    return conn


@pytest.mark.parametrize("expression, text", TEXTS)
def test_values_made_text_print_as_postgres_prints_them(target, table, expression, text):
    with _connect(target) as conn:
        assert conn.execute(f"SELECT {expression} FROM {table}").fetchone()[0] == text


def test_string_agg_of_timestamps_as_text(target, table):
    with _connect(target) as conn:
        conn.execute(f"INSERT INTO {table} (ts) VALUES ('2024-01-03 00:00:00')")
        got = conn.execute(f"SELECT string_agg(ts::text, ',' ORDER BY ts) FROM {table}").fetchone()[0]
        assert got == "2024-01-02 03:04:05.5,2024-01-03 00:00:00"


@pytest.mark.parametrize("expression, pattern", NOW_TEXTS)
def test_the_current_time_as_text(target, expression, pattern):
    with _connect(target) as conn:
        assert re.fullmatch(pattern, conn.execute(f"SELECT {expression}").fetchone()[0])


@pytest.fixture
def numbers(target) -> str:
    name = f"numbers_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {name} (id int, x numeric, y numeric(10, 2))")
        for i, value in enumerate(NUMBERS):
            conn.execute(f"INSERT INTO {name} VALUES ({i}, {value}, 1.5)")
    return name


def test_unconstrained_numeric_prints_each_values_digits(target, numbers):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        rows = conn.execute(f"SELECT x, x AS alias, x::text, y FROM {numbers} ORDER BY id").fetchall()
    assert [format(x, "f") for x, _, _, _ in rows] == NUMBERS
    assert [format(alias, "f") for _, alias, _, _ in rows] == NUMBERS
    assert [text for _, _, text, _ in rows] == NUMBERS
    assert {format(y, "f") for _, _, _, y in rows} == {"1.50"}


def test_unconstrained_numeric_over_binary(target, numbers):
    async def fetch():
        conn = await asyncpg.connect(**target.asyncpg)
        try:
            return await conn.fetch(f"SELECT x, y FROM {numbers} ORDER BY id")
        finally:
            await conn.close()

    rows = asyncio.run(fetch())
    assert [format(r["x"], "f") for r in rows] == NUMBERS
    assert {format(r["y"], "f") for r in rows} == {"1.50"}


def test_unconstrained_numeric_has_no_typmod(target, numbers):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        cur = conn.execute(f"SELECT x, y FROM {numbers}")
        assert [(c.precision, c.scale) for c in cur.description] == [(None, None), (10, 2)]
        assert conn.execute(
            "SELECT attname, format_type(atttypid, atttypmod), atttypmod = -1 FROM pg_attribute"
            f" WHERE attrelid = '{numbers}'::regclass AND attname IN ('x', 'y') ORDER BY attname"
        ).fetchall() == [("x", "numeric", True), ("y", "numeric(10,2)", False)]
        assert conn.execute(
            "SELECT column_name, data_type, numeric_precision, numeric_scale FROM information_schema.columns"
            f" WHERE table_name = '{numbers}' AND column_name IN ('x', 'y') ORDER BY column_name"
        ).fetchall() == [("x", "numeric", None, None), ("y", "numeric", 10, 2)]


def test_embedded_api_reads_unconstrained_numeric_without_trailing_zeros(tmp_path):
    db = agentlake.connect(tmp_path / "repo")
    db.execute("CREATE TABLE n (x numeric, y numeric(10, 2))")
    db.execute("INSERT INTO n VALUES (1.5, 1.5), (10, 10)")
    rows = db.execute("SELECT x, y, x::text FROM n ORDER BY 1").fetchall()
    assert [(str(x), str(y), text) for x, y, text in rows] == [("1.5", "1.50", "1.5"), ("10", "10.00", "10")]
