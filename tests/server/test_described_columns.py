"""A client describes every statement it prepares (Parse, then Describe of the statement): asyncpg
each statement it runs, psycopg those it prepares and those with parameters of unknown type. agentlake
remembers descriptions per session while the schema stays the same; each case prepares the same text
again after a change of schema on the same connection, and the description must show the change, as
PostgreSQL 16's does. Writes in between keep the description."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from .reference_postgres import target  # noqa: F401 - fixture

JSONB, TEXT, INT4, INT8 = "jsonb", "text", "int4", "int8"


async def _columns(conn: asyncpg.Connection, sql: str) -> list[tuple[str, str]]:
    """The columns of ``sql`` freshly prepared (asyncpg's explicit prepare skips its statement cache)."""
    statement = await conn.prepare(sql)
    return [(attribute.name, attribute.type.name) for attribute in statement.get_attributes()]


def _run(target, steps) -> None:
    """``steps(conn, table)`` on one connection, with a table ``(a int, b text)`` holding one row."""
    table = f"described_{uuid.uuid4().hex[:8]}"

    async def main() -> None:
        conn = await asyncpg.connect(**target.asyncpg)
        try:
            await conn.execute(f"CREATE TABLE {table} (a int, b text)")
            await conn.execute(f"""INSERT INTO {table} VALUES (1, '{{"k": 1}}')""")
            await steps(conn, table)
        finally:  # the PostgreSQL server is shared by every test of the run
            await conn.execute(f"DROP VIEW IF EXISTS {table}_v; DROP TABLE IF EXISTS {table}")
            await conn.close()

    asyncio.run(main())


def test_writes_keep_the_description(target):
    async def steps(conn, table):
        query = f"SELECT a, b FROM {table} WHERE a = $1"
        assert await _columns(conn, query) == [("a", INT4), ("b", TEXT)]
        await conn.execute(f"INSERT INTO {table} VALUES (2, 'x')")
        await conn.execute(f"UPDATE {table} SET b = 'y' WHERE a = 2")
        assert await _columns(conn, query) == [("a", INT4), ("b", TEXT)]
        assert [tuple(r) for r in await conn.fetch(query, 2)] == [(2, "y")]

    _run(target, steps)


CHANGES = [  # (what changes, setup, query, the change, columns before, columns after)
    (
        "an added column",
        None,
        "SELECT * FROM {t} WHERE a = $1",
        "ALTER TABLE {t} ADD COLUMN c bigint",
        [("a", INT4), ("b", TEXT)],
        [("a", INT4), ("b", TEXT), ("c", INT8)],
    ),
    (
        "a column's type, text to jsonb (a metadata-only change in Arrow)",
        None,
        "SELECT b FROM {t} WHERE a = $1",
        "ALTER TABLE {t} ALTER COLUMN b TYPE jsonb USING b::jsonb",
        [("b", TEXT)],
        [("b", JSONB)],
    ),
    (
        "a replaced view",
        "CREATE VIEW {t}_v AS SELECT a FROM {t}",
        "SELECT * FROM {t}_v WHERE a = $1",
        "CREATE OR REPLACE VIEW {t}_v AS SELECT a, a + 1 AS c FROM {t}",
        [("a", INT4)],
        [("a", INT4), ("c", INT4)],
    ),
]


@pytest.mark.parametrize("setup, query, change, before, after", [c[1:] for c in CHANGES], ids=[c[0] for c in CHANGES])
def test_a_schema_change_is_described(target, setup, query, change, before, after):
    async def steps(conn, table):
        if setup:
            await conn.execute(setup.format(t=table))
        assert await _columns(conn, query.format(t=table)) == before
        await conn.execute(change.format(t=table))
        assert await _columns(conn, query.format(t=table)) == after

    _run(target, steps)


def test_a_table_dropped_and_created_again_is_described_anew(target):
    async def steps(conn, table):
        query = f"SELECT * FROM {table} WHERE a = $1"
        assert await _columns(conn, query) == [("a", INT4), ("b", TEXT)]
        await conn.execute(f"DROP TABLE {table}")
        with pytest.raises(asyncpg.UndefinedTableError):  # when it is prepared, as PostgreSQL's parse analysis
            await _columns(conn, query)
        await conn.execute(f"CREATE TABLE {table} (a bigint, z jsonb)")
        assert await _columns(conn, query) == [("a", INT8), ("z", JSONB)]

    _run(target, steps)


def test_a_transactions_own_ddl_is_described_and_its_rollback_too(target):
    async def steps(conn, table):
        query = f"SELECT * FROM {table} WHERE a = $1"
        async with conn.transaction():
            await conn.execute(f"ALTER TABLE {table} ADD COLUMN c int")
            assert await _columns(conn, query) == [("a", INT4), ("b", TEXT), ("c", INT4)]
        await conn.execute("BEGIN")
        await conn.execute(f"ALTER TABLE {table} ADD COLUMN d int")
        assert await _columns(conn, query) == [("a", INT4), ("b", TEXT), ("c", INT4), ("d", INT4)]
        await conn.execute("ROLLBACK")
        assert await _columns(conn, query) == [("a", INT4), ("b", TEXT), ("c", INT4)]

    _run(target, steps)
