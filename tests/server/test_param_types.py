"""The parameter types Describe reports (PostgreSQL's inference: bigint for LIMIT and OFFSET, the
column's array type for ``col = ANY($1)`` and ``col <> ALL($1)``, the cast's type, the compared
column's type), compared with PostgreSQL 16; and lists bound to ANY and ALL through psycopg, text
and binary, for every element type, with PostgreSQL's answers."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import psycopg
import pytest
from psycopg import generators

from .reference_postgres import target  # noqa: F401 - fixture

SETUP = [
    "DROP TABLE IF EXISTS pt",
    "CREATE TABLE pt (id bigint PRIMARY KEY, i int, name text, f float8, u uuid, b bool, meta jsonb)",
    "INSERT INTO pt VALUES (1, 10, 'a', 1.5, '00000000-0000-0000-0000-000000000001', true, '{\"kind\": \"fact\"}'), "
    "(2, 20, 'b', 2.5, '00000000-0000-0000-0000-000000000002', false, '{\"kind\": \"plan\"}'), "
    "(3, 30, 'c', 3.5, '00000000-0000-0000-0000-000000000003', NULL, '{}')",
]

DESCRIBED = [
    ("SELECT id FROM pt ORDER BY id LIMIT $1 OFFSET $2", ["int8", "int8"]),
    ("SELECT id FROM pt WHERE id = ANY($1)", ["_int8"]),
    ("SELECT id FROM pt WHERE i <> ALL($1)", ["_int4"]),
    ("SELECT id FROM pt WHERE name = ANY($1)", ["_text"]),
    ("SELECT id FROM pt p WHERE p.f = ANY($1)", ["_float8"]),
    ("SELECT id FROM pt WHERE u = ANY($1) AND b <> ALL($2)", ["_uuid", "_bool"]),
    ("SELECT $1::int + 1", ["int4"]),
    ("SELECT id FROM pt WHERE meta->>'kind' = ANY($1) AND i::text <> ALL($2)", ["_text", "_text"]),
    ("SELECT id FROM pt WHERE i > $1 AND name LIKE $2", ["int4", "text"]),
    ("SELECT id FROM pt WHERE id IN ($1, $2)", ["int8", "int8"]),
    ("SELECT pg_try_advisory_lock($1), pg_try_advisory_lock($2, $3)", ["int8", "int4", "int4"]),
]


@pytest.fixture
def pt(target):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        for sql in SETUP:
            conn.execute(sql)
    return target


@pytest.mark.parametrize("sql, types", DESCRIBED)
def test_describe_reports_postgres_parameter_types(pt, sql, types):
    with psycopg.connect(pt.dsn, autocommit=True) as conn:
        names = dict(conn.execute("SELECT oid::int, typname::text FROM pg_catalog.pg_type").fetchall())
        # libpq's blocking calls would hold the GIL the in-process server needs: send, then wait
        conn.pgconn.send_prepare(b"probe", sql.encode())
        conn.wait(generators.execute(conn.pgconn))
        conn.pgconn.send_describe_prepared(b"probe")
        (described,) = conn.wait(generators.execute(conn.pgconn))
        assert [names[described.param_type(i)] for i in range(described.nparams)] == types


LISTS = [
    ("id", [1, 2]),
    ("i", [10, 30]),
    ("name", ["a", "c"]),
    ("f", [1.5]),
    ("u", [uuid.UUID(int=1)]),
    ("b", [True]),
    ("name", []),
]


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("column, values", LISTS)
def test_psycopg_lists_bind_to_any_and_all(pt, column, values, binary):
    with psycopg.connect(pt.dsn, autocommit=True) as conn:
        cur = conn.cursor(binary=binary)
        found = cur.execute(f"SELECT id FROM pt WHERE {column} = ANY(%s) ORDER BY id", (values,)).fetchall()
        others = cur.execute(f"SELECT id FROM pt WHERE {column} <> ALL(%s) ORDER BY id", (values,)).fetchall()
    everything = {(1,), (2,), (3,)}
    with_value = {1, 2} if column == "b" else {1, 2, 3}  # b is NULL in row 3: neither = ANY nor <> ALL holds
    assert {row[0] for row in found} <= with_value and {row[0] for row in others} <= with_value
    assert set(found) | set(others) == {row for row in everything if row[0] in with_value}
    expected = {
        ("id", 1): [(1,), (2,)],
        ("i", 1): [(1,), (3,)],
        ("name", 1): [(1,), (3,)],
        ("f", 1): [(1,)],
        ("u", 1): [(1,)],
        ("b", 1): [(1,)],
        ("name", 0): [],
    }
    assert found == expected[(column, 1 if values else 0)]


@pytest.mark.parametrize("binary", [False, True])
def test_psycopg_lists_bind_to_any_of_a_jsonb_field(pt, binary):
    """mem0's metadata filters: ``payload->>%s = ANY(%s)`` with a list of strings, which psycopg
    sends untyped in text (the untyped array literal was read as text: 42883)."""
    with psycopg.connect(pt.dsn, autocommit=True) as conn:
        cur = conn.cursor(binary=binary)
        sql = "SELECT id FROM pt WHERE meta->>%s = ANY(%s) ORDER BY id"
        assert cur.execute(sql, ("kind", ["fact", "plan", "x"])).fetchall() == [(1,), (2,)]
        assert cur.execute(sql.replace("= ANY", "<> ALL"), ("kind", ["fact"])).fetchall() == [(2,)]


def test_asyncpg_binds_limit_offset_and_text_lists(pt):
    async def run():
        conn = await asyncpg.connect(**pt.asyncpg)
        try:
            assert await conn.fetch("SELECT id FROM pt ORDER BY id LIMIT $1 OFFSET $2", 1, 1) == [(2,)]
            assert [
                r[0] for r in await conn.fetch("SELECT id FROM pt WHERE name = ANY($1) ORDER BY id", ["a", "b"])
            ] == [1, 2]
            assert await conn.fetchval("SELECT $1::int + 1", 4) == 5
            assert [
                r[0]
                for r in await conn.fetch("SELECT id FROM pt WHERE meta->>$1 = ANY($2) ORDER BY id", "kind", ["plan"])
            ] == [2]
            assert await conn.fetchval("SELECT name FROM pt WHERE i > $1 ORDER BY id LIMIT 1", 15) == "b"
        finally:
            await conn.close()

    asyncio.run(run())
