"""Advisory locks over the wire: one session's semantics compared with PostgreSQL 16 (re-entrant
counts, shared and exclusive, transaction-level holds, the two key spaces, the WARNING of an
unlock without a hold), then what only several sessions show: waiting, try-locks, cancel
(57014), lock_timeout (55P03), deadlocks (40P01), release at the end of a transaction or session,
and exclusion across processes sharing the repository."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time

import asyncpg
import psycopg
import pytest
from psycopg import errors

from .reference_postgres import target  # noqa: F401 - fixture

ONE_SESSION = [
    "SELECT pg_advisory_lock(1)",
    "SELECT pg_advisory_lock(1)",
    "SELECT pg_advisory_unlock(1)",
    "SELECT pg_advisory_unlock(1)",
    "SELECT pg_advisory_unlock(1)",
    "SELECT pg_advisory_lock(1, 2)",
    "SELECT pg_advisory_unlock(12)",
    "SELECT pg_advisory_unlock(1, 2)",
    "SELECT pg_advisory_lock_shared(6)",
    "SELECT pg_advisory_unlock(6)",
    "SELECT pg_advisory_unlock_shared(6)",
    "SELECT pg_try_advisory_lock(7), pg_try_advisory_lock_shared(7)",
    "SELECT pg_advisory_unlock_all()",
    "SELECT pg_advisory_unlock(7)",
    "SELECT pg_advisory_unlock_shared(7)",
    "BEGIN",
    "SELECT pg_advisory_xact_lock(5)",
    "SELECT pg_try_advisory_xact_lock_shared(5)",
    "SELECT pg_advisory_unlock(5)",
    "COMMIT",
    "SELECT pg_advisory_lock(NULL::bigint)",
    "SELECT pg_try_advisory_lock(NULL::bigint)",
]


def _connect(dsn: str) -> psycopg.Connection:
    conn = psycopg.connect(dsn, autocommit=True)
    conn.warnings = []
    conn.add_notice_handler(lambda d: conn.warnings.append((d.severity, d.sqlstate, d.message_primary)))
    return conn


def test_one_session_as_postgres(target):
    """Results and warnings of each statement, void results aside (PostgreSQL's '' of type void is NULL here)."""
    with _connect(target.dsn) as conn:
        seen = []
        for sql in ONE_SESSION:
            conn.warnings.clear()
            cur = conn.execute(sql)
            rows = cur.fetchall() if cur.description else None
            seen.append((sql, [tuple(None if v == "" else v for v in row) for row in rows or []], conn.warnings[:]))
    warned = [sql for sql, _, warnings in seen if warnings]
    assert warned == [
        "SELECT pg_advisory_unlock(1)",
        "SELECT pg_advisory_unlock(12)",
        "SELECT pg_advisory_unlock(6)",
        "SELECT pg_advisory_unlock(7)",
        "SELECT pg_advisory_unlock_shared(7)",
        "SELECT pg_advisory_unlock(5)",
    ]
    assert seen[4][2] == [("WARNING", "01000", "you don't own a lock of type ExclusiveLock")]
    assert seen[14][2] == [("WARNING", "01000", "you don't own a lock of type ShareLock")]
    assert [rows for _, rows, _ in seen] == [
        [(None,)],
        [(None,)],
        [(True,)],
        [(True,)],
        [(False,)],
        [(None,)],
        [(False,)],
        [(True,)],
        [(None,)],
        [(False,)],
        [(True,)],
        [(True, True)],
        [(None,)],
        [(False,)],
        [(False,)],
        [],
        [(None,)],
        [(True,)],
        [(False,)],
        [],
        [(None,)],
        [(None,)],
    ]


def _lock_in_thread(conn: psycopg.Connection, sql: str) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["rows"] = conn.execute(sql).fetchall()
        except psycopg.Error as err:
            outcome["error"] = err

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _eventually(check, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_sessions_exclude_each_other(server):
    a, b = _connect(server.dsn()), _connect(server.dsn())
    try:
        a.execute("SELECT pg_advisory_lock(1)")
        assert b.execute("SELECT pg_try_advisory_lock(1)").fetchone() == (False,)
        assert b.execute("SELECT pg_try_advisory_lock_shared(1)").fetchone() == (False,)
        thread, outcome = _lock_in_thread(b, "SELECT pg_advisory_lock(1)")
        time.sleep(0.3)
        assert thread.is_alive()  # waiting for a's hold
        a.execute("SELECT pg_advisory_unlock(1)")
        thread.join(10)
        assert "rows" in outcome
        assert a.execute("SELECT pg_try_advisory_lock(1)").fetchone() == (False,)
        # shared holds go together; an exclusive request waits for all of them
        assert a.execute("SELECT pg_try_advisory_lock_shared(2)").fetchone() == (True,)
        assert b.execute("SELECT pg_try_advisory_lock_shared(2)").fetchone() == (True,)
        assert b.execute("SELECT pg_try_advisory_lock(2)").fetchone() == (False,)
    finally:
        a.close()
        b.close()


def test_langchain_transaction_lock_is_held_until_commit(server):
    a, b = _connect(server.dsn()), _connect(server.dsn())
    try:
        with a.transaction():
            a.execute("SELECT pg_advisory_xact_lock(1573678846307946496)")
            assert b.execute("SELECT pg_try_advisory_lock(1573678846307946496)").fetchone() == (False,)
        assert b.execute("SELECT pg_try_advisory_lock(1573678846307946496)").fetchone() == (True,)
        b.execute("SELECT pg_try_advisory_xact_lock(9)")  # autocommit: released as the statement ends
        assert a.execute("SELECT pg_try_advisory_lock(9)").fetchone() == (True,)
    finally:
        a.close()
        b.close()


def test_cancel_lock_timeout_and_deadlock(server):
    a, b = _connect(server.dsn()), _connect(server.dsn())
    try:
        a.execute("SELECT pg_advisory_lock(1)")
        b.execute("SET lock_timeout = '100ms'")
        with pytest.raises(errors.LockNotAvailable, match="canceling statement due to lock timeout"):
            b.execute("SELECT pg_advisory_lock(1)")
        b.execute("SET lock_timeout = 0")
        threading.Timer(0.3, b.cancel_safe).start()  # cancel() holds the GIL the in-process server needs
        with pytest.raises(errors.QueryCanceled, match="canceling statement due to user request"):
            b.execute("SELECT pg_advisory_lock(1)")
        b.execute("SET statement_timeout = '200ms'")
        with pytest.raises(errors.QueryCanceled, match="canceling statement due to statement timeout"):
            b.execute("SELECT pg_advisory_lock(1)")
        b.execute("SET statement_timeout = 0")
        # a waits for b's 2 first, then b for a's 1: a, the first waiter, finds the cycle (as in PostgreSQL)
        b.execute("SELECT pg_advisory_lock(2)")
        thread, outcome = _lock_in_thread(a, "SELECT pg_advisory_lock(2)")
        time.sleep(0.3)
        waiting_b, outcome_b = _lock_in_thread(b, "SELECT pg_advisory_lock(1)")
        thread.join(10)
        assert isinstance(outcome.get("error"), errors.DeadlockDetected)
        assert str(outcome["error"]).startswith("deadlock detected")
        a.execute("SELECT pg_advisory_unlock_all()")
        waiting_b.join(10)
        assert "rows" in outcome_b
    finally:
        a.close()
        b.close()


def test_session_end_releases_its_locks(server):
    a, b = _connect(server.dsn()), _connect(server.dsn())
    a.execute("SELECT pg_advisory_lock(3)")
    a.execute("SELECT pg_advisory_lock_shared(4)")
    a.close()
    _eventually(lambda: b.execute("SELECT pg_try_advisory_lock(3), pg_try_advisory_lock(4)").fetchone() == (True, True))
    b.close()


def test_asyncpg_binds_keys_as_bigint_and_int4(server):
    async def run():
        conn = await asyncpg.connect(host="127.0.0.1", port=server.port, user="alice", database=server.database)
        try:
            assert await conn.fetchval("SELECT pg_try_advisory_lock($1)", 2**62) is True
            assert await conn.fetchval("SELECT pg_advisory_unlock($1)", 2**62) is True
            assert await conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", 1, 2) is True
            assert await conn.fetchval("SELECT pg_advisory_unlock($1, $2)", 1, 2) is True
        finally:
            await conn.close()

    asyncio.run(run())


HOLDER = """
import sys, agentlake
conn = agentlake.connect(sys.argv[1], create=False)
print(conn.execute("SELECT pg_try_advisory_lock(77)").fetchone()[0], flush=True)
sys.stdin.readline()
conn.close()
"""


def test_processes_sharing_a_local_repository_exclude_each_other(server, tmp_path):
    """Another process (the Python API on the same repository) holds the lock: the server's sessions
    wait for it, through the byte-range lock under locks/advisory."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "repo")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "True"
        with _connect(server.dsn()) as conn:
            assert conn.execute("SELECT pg_try_advisory_lock(77)").fetchone() == (False,)
            thread, outcome = _lock_in_thread(conn, "SELECT pg_advisory_lock(77)")
            time.sleep(0.3)
            assert thread.is_alive()
            holder.stdin.write("\n")
            holder.stdin.flush()
            thread.join(20)
            assert "rows" in outcome
    finally:
        holder.kill() if holder.poll() is None else None
        holder.wait(10)
