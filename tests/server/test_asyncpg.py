"""asyncpg against the server: it prepares every statement and asks Describe for its columns and
parameter types before binding, then sends and reads values in binary."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from decimal import Decimal

import pytest

asyncpg = pytest.importorskip("asyncpg")


def run(server, work):
    async def main():
        conn = await asyncpg.connect(host="127.0.0.1", port=server.port, user="alice", database=server.database)
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(main())


def test_builtin_types_round_trip_in_binary(server, real_engine):
    at = dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=dt.timezone.utc)

    async def work(conn):
        await conn.execute(
            "CREATE TABLE t (id bigint PRIMARY KEY, name text, score double precision, ok boolean, "
            "at timestamptz, n int, amount numeric(10,2), day date)"
        )
        await conn.execute(
            "INSERT INTO t VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
            1,
            "a",
            1.5,
            True,
            at,
            7,
            Decimal("3.25"),
            dt.date(2024, 5, 6),
        )
        await conn.executemany("INSERT INTO t (id, name) VALUES ($1, $2)", [(2, "b"), (3, "c")])
        return await conn.fetch("SELECT * FROM t ORDER BY id")

    rows = run(server, work)
    assert [tuple(r) for r in rows] == [
        (1, "a", 1.5, True, at, 7, Decimal("3.25"), dt.date(2024, 5, 6)),
        (2, "b", None, None, None, None, None, None),
        (3, "c", None, None, None, None, None, None),
    ]


def test_prepared_statement_describes_columns_and_parameters(server, real_engine):
    async def work(conn):
        await conn.execute("CREATE TABLE kv (id bigint PRIMARY KEY, payload text)")
        await conn.executemany("INSERT INTO kv VALUES ($1, $2)", [(i, f"p{i}") for i in range(5)])
        statement = await conn.prepare("SELECT id, payload, id * 2 AS twice FROM kv WHERE id >= $1 ORDER BY id")
        columns = [(a.name, a.type.name) for a in statement.get_attributes()]
        parameters = [t.name for t in statement.get_parameters()]
        return columns, parameters, await statement.fetch(3), await conn.fetchval("SELECT $1::int + 1", 41)

    columns, parameters, rows, answer = run(server, work)
    assert columns == [("id", "int8"), ("payload", "text"), ("twice", "int8")]
    assert parameters == ["int8"]
    assert [tuple(r) for r in rows] == [(3, "p3", 6), (4, "p4", 8)]
    assert answer == 42


def test_transaction_rollback_and_errors_keep_the_connection(server, real_engine):
    async def work(conn):
        await conn.execute("CREATE TABLE acct (id bigint PRIMARY KEY, balance int)")
        await conn.execute("INSERT INTO acct VALUES ($1, $2)", 1, 100)
        with pytest.raises(RuntimeError):
            async with conn.transaction():
                await conn.execute("UPDATE acct SET balance = $1 WHERE id = $2", 0, 1)
                raise RuntimeError("abandon")
        with pytest.raises(asyncpg.UndefinedTableError):
            await conn.fetch("SELECT * FROM missing")
        return await conn.fetchval("SELECT balance FROM acct WHERE id = $1", 1)

    assert run(server, work) == 100


def test_statements_whose_columns_come_from_elsewhere(server, real_engine):
    """RETURNING, SHOW, EXPLAIN and agentlake's branch functions are described before they run,
    and describing a function that changes something does not run it."""

    async def work(conn):
        await conn.execute("CREATE TABLE notes (id bigint PRIMARY KEY, body text)")
        inserted = await conn.fetchval("INSERT INTO notes VALUES ($1, $2) RETURNING id", 5, "draft")
        updated = await conn.fetch("UPDATE notes SET body = $1 WHERE id = $2 RETURNING id, body", "final", 5)
        created = await conn.fetchval("SELECT agentlake.branch('agent-7')")
        branches = [r["branch"] for r in await conn.fetch("SELECT agentlake.branches()")]
        plan = await conn.fetch("EXPLAIN SELECT * FROM notes")
        return inserted, [tuple(r) for r in updated], created, branches, await conn.fetchval("SHOW search_path"), plan

    inserted, updated, created, branches, search_path, plan = run(server, work)
    assert inserted == 5 and updated == [(5, "final")]
    assert created == "agent-7" and "agent-7" in branches
    assert search_path and plan[0]["QUERY PLAN"].startswith("agentlake route")


def test_pgvector_adapter_registers_and_round_trips(server, real_engine):
    """pgvector.asyncpg looks the type up in pg_type (its typtype must read as a one-byte "char"),
    then sends and reads vectors in binary; a distance to $1 types the parameter as a vector."""
    np = pytest.importorskip("numpy")
    register_vector = pytest.importorskip("pgvector.asyncpg").register_vector

    async def work(conn):
        await register_vector(conn)
        await conn.execute("CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(3))")
        await conn.executemany(
            "INSERT INTO items VALUES ($1, $2)", [(i, np.array([i, 0, 1], dtype=np.float32)) for i in range(5)]
        )
        return await conn.fetch(
            "SELECT id, embedding, embedding <-> $1 AS d FROM items ORDER BY embedding <-> $1 LIMIT 2",
            np.array([3.2, 0, 1]),
        )

    rows = run(server, work)
    assert [r["id"] for r in rows] == [3, 4]
    assert rows[0]["embedding"].to_list() == [3.0, 0.0, 1.0]
    assert rows[0]["d"] == pytest.approx(0.2, rel=1e-5)


def test_copy_records_to_table_sends_binary_copy(server, real_engine):
    """asyncpg's bulk load is a binary COPY; a column subset leaves the rest to their defaults."""
    pgvector_asyncpg = pytest.importorskip("pgvector.asyncpg")
    at = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc)

    async def work(conn):
        await pgvector_asyncpg.register_vector(conn)
        await conn.execute(
            "CREATE TABLE docs (id bigserial PRIMARY KEY, title text, at timestamptz, "
            "amount numeric(8,2), embedding vector(3))"
        )
        whole = await conn.copy_records_to_table(
            "docs", records=[(10, "ten", at, Decimal("1.50"), [1, 2, 3]), (11, None, None, None, None)]
        )
        subset = await conn.copy_records_to_table("docs", records=[("auto", [4, 5, 6])], columns=["title", "embedding"])
        rows = await conn.fetch("SELECT id, title, at, amount, embedding <-> '[1,2,3]' AS d FROM docs ORDER BY id")
        return whole, subset, rows

    whole, subset, rows = run(server, work)
    assert (whole, subset) == ("COPY 2", "COPY 1")
    assert [tuple(r) for r in rows] == [
        (1, "auto", None, None, pytest.approx(27**0.5)),
        (10, "ten", at, Decimal("1.50"), 0.0),
        (11, None, None, None, None),
    ]


def test_copy_records_of_uuid_and_jsonb_store_them_as_insert_does(server, real_engine):
    """Binary COPY decodes a uuid to its value and sends jsonb as text: both are stored as INSERT
    stores them (canonical text; the uuid load was XX000, the jsonb kept the client's spacing)."""
    key = uuid.UUID("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11")

    async def work(conn):
        await conn.execute("CREATE TABLE events (id int PRIMARY KEY, ref uuid, body jsonb)")
        copied = await conn.copy_records_to_table(
            "events", records=[(1, key, '{"b":2,"a" : [1,2]}'), (2, None, None)], columns=["id", "ref", "body"]
        )
        await conn.execute("INSERT INTO events VALUES (3, $1, $2)", key, '{"b":2,"a" : [1,2]}')
        rows = await conn.fetch("SELECT id, ref, body FROM events ORDER BY id")
        bad = None
        try:
            await conn.copy_records_to_table("events", records=[(4, None, "{not json")], columns=["id", "ref", "body"])
        except asyncpg.PostgresError as err:
            bad = err.sqlstate
        return copied, rows, bad, await conn.fetchval("SELECT count(*) FROM events")

    copied, rows, bad, count = run(server, work)
    assert copied == "COPY 2"
    assert [tuple(r) for r in rows] == [
        (1, key, '{"a": [1, 2], "b": 2}'),
        (2, None, None),
        (3, key, '{"a": [1, 2], "b": 2}'),
    ]
    assert (bad, count) == ("22P02", 3)


def test_arrays_of_uuids_json_and_numerics_read_as_their_types_in_binary(server, real_engine):
    """A uuid[] column reads back as uuid.UUID elements (it was sent as text[], so strings), jsonb[]
    as jsonb elements and an unconstrained numeric[] without its storage's trailing zeros; parameters
    bind as the same arrays."""
    first, second = uuid.UUID(int=1), uuid.UUID(int=2)

    async def work(conn):
        await conn.execute("CREATE TABLE tagged (id int PRIMARY KEY, ids uuid[], docs jsonb[], amounts numeric[])")
        await conn.execute(
            "INSERT INTO tagged VALUES (1, $1, ARRAY['{\"a\": 1}'::jsonb], ARRAY[1.5, 2])", [first, None]
        )
        await conn.execute("UPDATE tagged SET ids = array_append(ids, $1) WHERE id = 1", second)
        rows = await conn.fetch("SELECT ids, docs, amounts, ids[1] AS one, ARRAY[$1::uuid] AS made FROM tagged", first)
        types = await conn.fetch("SELECT pg_typeof(ids)::text FROM tagged")
        return rows, types

    rows, types = run(server, work)
    assert tuple(rows[0]) == (
        [first, None, second],
        ['{"a": 1}'],
        [Decimal("1.5"), Decimal("2")],
        first,
        [first],
    )
    assert types[0][0] == "uuid[]"


def test_binary_copy_of_uuid_arrays(server, real_engine):
    """copy_records_to_table sends a uuid[] in binary; its elements are stored as the uuids' text."""
    ids = [uuid.UUID(int=3), None]

    async def work(conn):
        await conn.execute("CREATE TABLE copied (id int PRIMARY KEY, ids uuid[])")
        await conn.copy_records_to_table("copied", records=[(1, ids)])
        return await conn.fetch("SELECT ids, ids[1]::text FROM copied")

    rows = run(server, work)
    assert tuple(rows[0]) == (ids, str(ids[0]))


def test_row_values_read_as_records_in_binary(server, real_engine):
    """ROW(...) travels as record_send's binary: each field with its own type, NULLs and nested rows."""

    async def work(conn):
        return await conn.fetchrow("SELECT ROW(1, 'a b', NULL::text, true, 1.50::numeric, (2, 'x')) AS r")

    row = run(server, work)
    assert tuple(row["r"]) == (1, "a b", None, True, Decimal("1.50"), (2, "x"))
