"""jsonb through real clients on a real server: result columns are typed jsonb (OID 3802), aliased or
computed, so psycopg, asyncpg (with its jsonb codec) and SQLAlchemy's JSONB type read documents;
parameters cast to jsonb and the ``?`` operators work beside placeholders."""

from __future__ import annotations

import asyncio
import json

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

JSONB_OID, TEXT_OID = 3802, 25
ROWS = [(1, {"n": 9, "tags": ["x", "y"], "source": "a"}), (2, {"n": 10, "tags": ["z"]}), (3, {"n": 1.5})]


def _create(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (id int PRIMARY KEY, meta jsonb)")
        for id_, meta in ROWS:
            conn.execute("INSERT INTO t VALUES (%s, %s::jsonb)", (id_, json.dumps(meta)))


def test_psycopg_reads_typed_jsonb(make_server):
    server = make_server()
    _create(server.dsn())
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        cur = conn.execute(
            "SELECT t.meta AS t_meta, meta -> 'tags' AS tags, meta ->> 'n', meta -> 'n' FROM t ORDER BY meta -> 'n'"
        )
        assert [d.type_code for d in cur.description] == [JSONB_OID, JSONB_OID, TEXT_OID, JSONB_OID]
        assert cur.fetchall() == [
            (ROWS[2][1], None, "1.5", 1.5),
            (ROWS[0][1], ["x", "y"], "9", 9),
            (ROWS[1][1], ["z"], "10", 10),
        ]
        found = conn.execute(
            "SELECT id FROM t WHERE meta @> %(p)s::JSONB AND meta ? 'tags' AND meta ?| %(keys)s ORDER BY id",
            {"p": json.dumps({"tags": ["x"]}), "keys": ["source", "q"]},
        ).fetchall()
        assert found == [(1,)]
        assert conn.execute("SELECT id FROM t WHERE (meta -> 'n') < %s::jsonb ORDER BY id", ["10"]).fetchall() == [
            (1,),
            (3,),
        ]


def test_asyncpg_reads_jsonb_with_its_codec(make_server):
    asyncpg = pytest.importorskip("asyncpg")
    server = make_server()
    _create(server.dsn())

    async def main():
        conn = await asyncpg.connect(host="127.0.0.1", port=server.port, user="alice", database=server.database)
        try:
            statement = await conn.prepare("SELECT t.meta AS m, meta -> 'n' FROM t WHERE meta ? $1 ORDER BY id")
            oids = [a.type.oid for a in statement.get_attributes()]
            await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
            rows = await conn.fetch("SELECT t.meta AS m, meta -> 'n' FROM t WHERE meta ? $1 ORDER BY id", "tags")
            matched = await conn.fetch(
                "SELECT id FROM t WHERE jsonb_path_match(meta, '$.n == $value', $1::jsonb) ORDER BY id", {"value": 10}
            )
            return oids, [tuple(r) for r in rows], [tuple(r) for r in matched]
        finally:
            await conn.close()

    oids, rows, matched = asyncio.run(main())
    assert oids == [JSONB_OID, JSONB_OID]
    assert rows == [(ROWS[0][1], 9), (ROWS[1][1], 10)]
    assert matched == [(2,)]


def _table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table("docs", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("meta", JSONB))


def test_sqlalchemy_jsonb_with_psycopg(make_server):
    server = make_server()
    engine = sa.create_engine(server.url())
    docs = _table(sa.MetaData())
    try:
        with engine.begin() as conn:
            docs.create(conn)
            conn.execute(docs.insert(), [{"id": i, "meta": m} for i, m in ROWS])
        with engine.connect() as conn:
            rows = conn.execute(sa.select(docs).where(docs.c.meta.contains({"tags": ["z"]}))).all()
            assert [tuple(r) for r in rows] == [ROWS[1]]
            ordered = conn.execute(sa.select(docs.c.id).order_by(docs.c.meta["n"])).scalars().all()
            assert ordered == [3, 1, 2]
            assert conn.execute(sa.select(docs.c.meta["tags"]).where(docs.c.id == 1)).scalar() == ["x", "y"]
            assert conn.execute(sa.select(docs.c.id).where(docs.c.meta.has_key("source"))).scalars().all() == [1]
    finally:
        engine.dispose()


def test_sqlalchemy_jsonb_with_asyncpg(make_server):
    pytest.importorskip("asyncpg")
    pytest.importorskip("greenlet")  # SQLAlchemy's asyncio extra
    from sqlalchemy.ext.asyncio import create_async_engine

    server = make_server()
    docs = _table(sa.MetaData())

    async def main():
        engine = create_async_engine(server.url().replace("+psycopg", "+asyncpg"))
        try:
            async with engine.begin() as conn:
                await conn.run_sync(docs.create)
                await conn.execute(docs.insert(), [{"id": i, "meta": m} for i, m in ROWS])
            async with engine.connect() as conn:
                rows = (await conn.execute(sa.select(docs).where(docs.c.meta.contains({"n": 9})))).all()
                by_n = (await conn.execute(sa.select(docs.c.id).where(docs.c.meta["n"] > sa.cast(9, JSONB)))).all()
                return [tuple(r) for r in rows], [r[0] for r in by_n]
        finally:
            await engine.dispose()

    rows, by_n = asyncio.run(main())
    assert rows == [ROWS[0]]
    assert by_n == [2]
