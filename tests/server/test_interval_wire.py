"""Interval arithmetic and interval values over the wire, against PostgreSQL 16: number * interval
in both orders and interval / number (PostgreSQL spills a month's fraction into days and a day's
into time), with constants and with parameters from psycopg (text and binary) and asyncpg; the
text PostgreSQL prints for each (IntervalStyle postgres) and the timedelta each client reads."""

from __future__ import annotations

import asyncio
import datetime as dt

import asyncpg
import psycopg
import pytest
from psycopg.types.string import TextLoader

PRODUCTS = [
    "2 * interval '1 hour'",
    "interval '1 hour' * 2.5",
    "interval '1 month' * 1.5",
    "1.5 * interval '1 month'",
    "interval '1 day 3 hours' * 2",
    "interval '1 mon 1 day 1 hour' * 0.3",
    "interval '1 hour' / 3",
    "interval '1 month' / 7",
    "interval '1 month' * 0.1",
    "interval '-1 month -3 days' * 1.7",
    "interval '29 days 23 hours 59 minutes 59.999999 seconds' * 1.0000001",
    "(interval '1 hour' * 2) * 3",
    "-interval '1 hour' * 2",
    "interval '1 year 2 months' * -1",
    "interval '1 day' * 2::bigint",
    "interval '1 day' * 2.5::real",
    "interval '1 day' - interval '1 hour' * 2",
    "interval '-1 day' + interval '1 hour' / 2",
    "null * interval '1 hour'",
    "'1 hour'::interval * 4",
    "timestamp '2024-01-31 00:00:00' + 2 * interval '1 month'",
]
ERRORS = [
    ("interval '1 hour' / 0", "22012", "division by zero"),
    ("interval '1 hour' * 'NaN'::float8", "22008", "interval out of range"),
    ("interval '1 year' * 1000000000", "22008", "interval out of range"),
]
PARAMETERS = [
    ("%s * interval '1 hour'", 2),
    ("%s * interval '1 hour'", 2.5),
    ("interval '1 month' * %s", 1.5),
    ("interval '1 day' / %s", 4),
    ("%s * interval '1 day 1 hour'", -3),
]


@pytest.fixture(scope="module")
def reference(postgres_server) -> str:
    info = postgres_server.get_postmaster_info()
    return f"host={info.socket_dir} port={info.port} dbname=postgres user=postgres connect_timeout=10"


def answers(dsn: str, queries: list[str], binary: bool = False, as_text: bool = False) -> list:
    with psycopg.connect(dsn, autocommit=True) as conn:
        if as_text:
            conn.adapters.register_loader("interval", TextLoader)
        cur = conn.cursor(binary=binary)
        return [cur.execute(f"SELECT {q}").fetchone()[0] for q in queries]


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_products_read_as_postgresql_answers_them(server, reference, binary):
    assert answers(server.dsn(), PRODUCTS, binary) == answers(reference, PRODUCTS, binary)


def test_products_print_as_postgresql_prints_them(server, reference):
    ours = answers(server.dsn(), PRODUCTS, as_text=True)
    assert ours == answers(reference, PRODUCTS, as_text=True)
    assert ours[:4] == ["02:00:00", "02:30:00", "1 mon 15 days", "1 mon 15 days"]
    assert ours[9] == "-1 mons -26 days -02:24:00"


def test_interval_values_print_as_postgresql_prints_them(server, reference):
    values = [
        "interval '-1 day 1 hour'",
        "interval '1 day -1 hour'",
        "interval '-1 year 2 months'",
        "interval '-13 months'",
        "interval '1 month -1 day'",
        "interval '0'",
        "interval '100 hours 0.5 seconds'",
    ]
    assert answers(server.dsn(), values, as_text=True) == answers(reference, values, as_text=True)


@pytest.mark.parametrize("sql, sqlstate, message", ERRORS)
def test_out_of_range_and_division_by_zero(server, reference, sql, sqlstate, message):
    for dsn in (server.dsn(), reference):
        with psycopg.connect(dsn, autocommit=True) as conn:
            with pytest.raises(psycopg.Error) as caught:
                conn.execute(f"SELECT {sql}")
        assert (caught.value.diag.sqlstate, caught.value.diag.message_primary) == (sqlstate, message)


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_psycopg_parameters_as_factors(server, reference, binary):
    def run(dsn: str) -> list:
        with psycopg.connect(dsn, autocommit=True) as conn:
            cur = conn.cursor(binary=binary)
            return [cur.execute(f"SELECT {sql}", (value,)).fetchone()[0] for sql, value in PARAMETERS]

    ours = run(server.dsn())
    assert ours == run(reference)
    assert ours[:2] == [dt.timedelta(hours=2), dt.timedelta(hours=2, minutes=30)]


def test_asyncpg_parameters_as_factors(server, reference):
    """asyncpg binds by the types Describe reports: float8 for the factor, as PostgreSQL infers."""

    async def run(**connect) -> list:
        conn = await asyncpg.connect(**connect)
        try:
            rows = [await conn.fetchval("SELECT " + sql.replace("%s", "$1"), value) for sql, value in PARAMETERS]
            rows.append(await conn.fetchval("SELECT $1::interval * 2", dt.timedelta(days=1, seconds=1)))
            rows.append(await conn.fetchval("SELECT interval '1 month' * 1.5"))
            return rows
        finally:
            await conn.close()

    info = reference.split()
    socket = dict(part.split("=", 1) for part in info)
    ours = asyncio.run(run(host="127.0.0.1", port=server.port, user="alice", database=server.database))
    theirs = asyncio.run(run(host=socket["host"], port=int(socket["port"]), user="postgres", database="postgres"))
    assert ours == theirs
    assert ours[-1] == dt.timedelta(days=45)
