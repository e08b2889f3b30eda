"""Read-only transactions as PostgreSQL 16 keeps them: BEGIN / START TRANSACTION READ ONLY, SET
TRANSACTION READ ONLY and default_transaction_read_only refuse every write with 25006 (they had let
writes through), reads go on, and READ WRITE, ROLLBACK or the session default lifts it; the modes'
settings show as PostgreSQL shows them; psycopg's ``read_only`` connections and asyncpg's
``transaction(readonly=True)`` are held to it."""

from __future__ import annotations

import asyncio

import asyncpg
import psycopg
import pytest

SETUP = [
    "CREATE TABLE acct (id int PRIMARY KEY, bal int)",
    "INSERT INTO acct VALUES (1, 100)",
]


def _run(conn: psycopg.Connection, statements: list[str]) -> list:
    out = []
    for sql in statements:
        try:
            cur = conn.execute(sql)
            out.append(cur.fetchall() if cur.description else cur.statusmessage)
        except psycopg.Error as err:
            out.append(err.sqlstate)
    return out


@pytest.mark.parametrize(
    "statements",
    [
        [
            "START TRANSACTION READ ONLY",
            "SELECT bal FROM acct",
            "SHOW transaction_read_only",
            "INSERT INTO acct VALUES (2, 1)",
            "ROLLBACK",
        ],
        [
            "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY",
            "SHOW transaction_isolation",
            "UPDATE acct SET bal = 0",
            "ROLLBACK",
            "SHOW transaction_read_only",
        ],
        [
            "BEGIN",
            "SET TRANSACTION READ ONLY",
            "DELETE FROM acct",
            "ROLLBACK",
            "BEGIN READ WRITE",
            "UPDATE acct SET bal = bal + 1 RETURNING bal",
            "COMMIT",
        ],
        [
            "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
            "INSERT INTO acct VALUES (3, 1)",
            "BEGIN",
            "CREATE TABLE other (a int)",
            "ROLLBACK",
            "BEGIN READ WRITE",
            "DELETE FROM acct WHERE id = 3",
            "COMMIT",
            "SET default_transaction_read_only = off",
            "SELECT count(*) FROM acct",
        ],
        ["SET TRANSACTION READ ONLY", "SHOW transaction_read_only", "BEGIN READ BANANA"],
    ],
)
def test_read_only_transactions_as_postgres(both, statements):
    assert _run(both.lake, statements) == _run(both.postgres, statements)


def test_client_read_only_modes(both):
    for conn in (both.lake, both.postgres):
        conn.autocommit = False
        conn.read_only = True
        try:
            with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
                conn.execute("INSERT INTO acct VALUES (7, 7)")
            conn.rollback()
            assert conn.execute("SELECT count(*) FROM acct WHERE id = 7").fetchone() == (0,)
        finally:
            conn.rollback()
            conn.read_only = None
            conn.autocommit = True

    async def asyncpg_write(info) -> str:
        conn = await asyncpg.connect(host=info.host, port=info.port, user=info.user, database=info.dbname)
        try:
            async with conn.transaction(readonly=True):
                await conn.execute("UPDATE acct SET bal = 0")
            return "written"
        except asyncpg.PostgresError as err:
            return err.sqlstate
        finally:
            await conn.close()

    assert [asyncio.run(asyncpg_write(conn.info)) for conn in (both.lake, both.postgres)] == ["25006", "25006"]
