"""Errors inside extended-protocol batches (pipelines) and cancel requests, checked against PostgreSQL 16.

Each case runs on agentlake and, where pgserver can start one, on a real
PostgreSQL with the same assertions, so the expectations are PostgreSQL's own:
after an error the server sends the ErrorResponse at once, skips every message
up to Sync, and answers the Sync with ReadyForQuery ('E' inside a transaction
block, else 'I'); the statements of a batch without BEGIN form one implicit
transaction, so an error part-way commits none of them.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading

import asyncpg
import psycopg
import pytest
from psycopg import errors
from psycopg import pq as libpq

from agentlake.server import protocol as pq

from .reference_postgres import Target, target  # noqa: F401 - fixture

pytestmark = pytest.mark.timeout(90)

TABLE = "pipeline_items"
INSERT = f"INSERT INTO {TABLE} VALUES (%s) RETURNING id"
POSITIONS = {"first": 0, "middle": 1, "last": 2}


def raw(target: Target) -> socket.socket:
    """A socket to ``target`` past startup, at its first ReadyForQuery."""
    sock = socket.socket(target.family, socket.SOCK_STREAM)
    sock.settimeout(15)  # a server that never answers fails the test instead of hanging it
    sock.connect(target.address)
    body = (
        struct.pack("!i", pq.PROTOCOL_3)
        + b"user\0"
        + target.user.encode()
        + b"\0database\0"
        + target.database.encode()
        + b"\0\0"
    )
    sock.sendall(struct.pack("!i", len(body) + 4) + body)
    read_until(sock, b"Z")
    return sock


@pytest.fixture(autouse=True)
def items(target: Target) -> None:
    """The pipelines' table, with one committed row, on whichever server the test runs against."""
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
        conn.execute(f"CREATE TABLE {TABLE} (id BIGINT PRIMARY KEY)")
        conn.execute(f"INSERT INTO {TABLE} VALUES (0)")


def committed(target: Target) -> list[int]:
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        return [row[0] for row in conn.execute(f"SELECT id FROM {TABLE} ORDER BY id")]


def ids_failing_at(position: int) -> list[int]:
    """Three new keys, but the one at ``position`` is 0, which the table already holds."""
    return [0 if i == position else 10 + i for i in range(3)]


# psycopg ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("where", POSITIONS)
def test_executemany_returning_reports_the_duplicate(target, where):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        with conn.cursor() as cur:
            with pytest.raises(errors.UniqueViolation) as info:
                cur.executemany(INSERT, [(i,) for i in ids_failing_at(POSITIONS[where])], returning=True)
            assert info.value.sqlstate == "23505"
            assert conn.info.transaction_status == libpq.TransactionStatus.IDLE
            assert committed(target) == [0], "a failed batch commits none of its statements"
            cur.executemany(INSERT, [(20,), (21,)], returning=True)
            returned = []
            while True:
                returned += cur.fetchall()
                if not cur.nextset():
                    break
            assert returned == [(20,), (21,)]
    assert committed(target) == [0, 20, 21]


@pytest.mark.parametrize("explicit", [False, True], ids=["implicit", "explicit"])
@pytest.mark.parametrize("error", ["duplicate", "missing_table"])
@pytest.mark.parametrize("where", POSITIONS)
def test_pipeline_error(target, where, error, explicit):
    statements = [f"INSERT INTO {TABLE} VALUES ({10 + i})" for i in range(3)]
    statements[POSITIONS[where]] = (
        f"INSERT INTO {TABLE} VALUES (0)" if error == "duplicate" else "SELECT * FROM no_such_table"
    )
    expected = errors.UniqueViolation if error == "duplicate" else errors.UndefinedTable
    with psycopg.connect(target.dsn, autocommit=not explicit) as conn:
        with pytest.raises(expected):
            with conn.pipeline():
                for text in statements:
                    conn.execute(text)
        status = libpq.TransactionStatus.INERROR if explicit else libpq.TransactionStatus.IDLE
        assert conn.info.transaction_status == status
        if explicit:
            with pytest.raises(errors.InFailedSqlTransaction):
                conn.execute("SELECT 1")
            conn.rollback()
        assert committed(target) == [0]
        assert conn.execute("SELECT 7").fetchone() == (7,)


def test_pipeline_sync_commits_the_batches_before_the_error(target):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        with conn.pipeline() as pipeline:
            conn.execute(f"INSERT INTO {TABLE} VALUES (1)")
            pipeline.sync()
            conn.execute(f"INSERT INTO {TABLE} VALUES (2)")
            with pytest.raises(errors.UniqueViolation):
                conn.execute(f"INSERT INTO {TABLE} VALUES (0)")
                pipeline.sync()
        assert conn.info.transaction_status == libpq.TransactionStatus.IDLE
    assert committed(target) == [0, 1]


@pytest.mark.parametrize("ending, kept", [("COMMIT", [0, 1]), ("ROLLBACK", [0])])
def test_commit_or_rollback_inside_a_pipeline_ends_its_implicit_transaction(target, ending, kept):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        notices = []
        conn.add_notice_handler(lambda d: notices.append((d.severity, d.sqlstate)))
        with pytest.raises(errors.UniqueViolation):
            with conn.pipeline():
                conn.execute(f"INSERT INTO {TABLE} VALUES (1)")
                conn.execute(ending)
                conn.execute(f"INSERT INTO {TABLE} VALUES (0)")
        assert ("WARNING", "25P01") in notices  # there is no transaction in progress
    assert committed(target) == kept


def test_begin_inside_a_pipeline_makes_its_transaction_explicit(target):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        with conn.pipeline():
            conn.execute(f"INSERT INTO {TABLE} VALUES (1)")
            conn.execute("BEGIN")
            conn.execute(f"INSERT INTO {TABLE} VALUES (2)")
        assert conn.info.transaction_status == libpq.TransactionStatus.INTRANS
        conn.execute("COMMIT")
    assert committed(target) == [0, 1, 2]


def test_savepoint_in_an_implicit_transaction_is_refused(target):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        with pytest.raises(errors.NoActiveSqlTransaction):
            with conn.pipeline():
                conn.execute(f"INSERT INTO {TABLE} VALUES (1)")
                conn.execute("SAVEPOINT s")
    assert committed(target) == [0]


# asyncpg ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("explicit", [False, True], ids=["implicit", "explicit"])
@pytest.mark.parametrize("where", POSITIONS)
def test_asyncpg_executemany_error(target, where, explicit):
    async def run() -> None:
        conn = await asyncpg.connect(**target.asyncpg, timeout=10)
        try:
            rows = [(i,) for i in ids_failing_at(POSITIONS[where])]
            with pytest.raises(asyncpg.UniqueViolationError):
                if explicit:
                    async with conn.transaction():
                        await conn.execute(f"INSERT INTO {TABLE} VALUES (5)")
                        await conn.executemany(f"INSERT INTO {TABLE} VALUES ($1)", rows)
                else:
                    await conn.executemany(f"INSERT INTO {TABLE} VALUES ($1)", rows)
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT 3") == 3
            await conn.executemany(f"INSERT INTO {TABLE} VALUES ($1)", [(30,), (31,)])
        finally:
            await conn.close()

    asyncio.run(asyncio.wait_for(run(), 60))
    assert committed(target) == [0, 30, 31]


# raw protocol ----------------------------------------------------------------------------------
def read_until(sock: socket.socket, last: bytes) -> list[tuple[bytes, bytes]]:
    out, buf = [], b""
    while not out or out[-1][0] != last:
        while len(buf) < 5 or len(buf) < 1 + struct.unpack("!i", buf[1:5])[0]:
            chunk = sock.recv(65536)
            assert chunk, "server closed the connection"
            buf += chunk
        length = struct.unpack("!i", buf[1:5])[0]
        out.append((buf[:1], buf[5 : 1 + length]))
        buf = buf[1 + length :]
    assert not buf, f"unexpected messages after {last!r}: {buf!r}"
    return out


def sqlstate(error_body: bytes) -> str:
    return next(f[1:].decode() for f in error_body.split(b"\0") if f[:1] == b"C")


def insert_messages(key: int) -> bytes:
    """Parse, Bind and Execute of one INSERT through the unnamed statement and portal."""
    value = str(key).encode()
    return (
        pq.message(b"P", f"\0INSERT INTO {TABLE} VALUES ($1)\0".encode() + struct.pack("!hI", 1, 20))
        + pq.message(b"B", b"\0\0" + struct.pack("!hhi", 0, 1, len(value)) + value + struct.pack("!h", 0))
        + pq.message(b"E", b"\0" + struct.pack("!i", 0))
    )


DISCARDED = pq.message(b"D", b"P\0") + pq.message(b"C", b"S\0") + pq.message(b"H") + insert_messages(40)


@pytest.mark.parametrize("explicit", [False, True], ids=["implicit", "explicit"])
@pytest.mark.parametrize("where", POSITIONS)
def test_raw_error_skips_to_sync(target, where, explicit):
    with raw(target) as sock:
        if explicit:
            sock.sendall(pq.message(b"Q", b"BEGIN\0"))
            assert read_until(sock, b"Z")[-1] == (b"Z", b"T")
        position = POSITIONS[where]
        sock.sendall(b"".join(insert_messages(key) for key in ids_failing_at(position)) + DISCARDED + pq.message(b"S"))
        replies = read_until(sock, b"Z")
        assert [kind for kind, _ in replies] == [b"1", b"2", b"C"] * position + [b"1", b"2", b"E", b"Z"]
        assert sqlstate(replies[-2][1]) == "23505"
        assert replies[-1][1] == (b"E" if explicit else b"I")
        sock.sendall(pq.message(b"Q", b"ROLLBACK\0" if explicit else b"SELECT 1\0"))
        assert read_until(sock, b"Z")[-1] == (b"Z", b"I")
    assert committed(target) == [0]


def test_raw_error_is_sent_before_sync(target):
    """A pipelining client reads the error after a Flush, before it sends Sync (the hang in issue 24)."""
    with raw(target) as sock:
        sock.sendall(insert_messages(1) + insert_messages(0) + pq.message(b"H"))
        replies = read_until(sock, b"E")
        assert [kind for kind, _ in replies] == [b"1", b"2", b"C", b"1", b"2", b"E"]
        sock.sendall(insert_messages(2) + pq.message(b"S"))
        assert read_until(sock, b"Z") == [(b"Z", b"I")]
        sock.sendall(insert_messages(3) + pq.message(b"S"))
        assert [kind for kind, _ in read_until(sock, b"Z")] == [b"1", b"2", b"C", b"Z"]
    assert committed(target) == [0, 3]


# cancel ----------------------------------------------------------------------------------------
def cancel_until_done(conn: psycopg.Connection, done: threading.Event) -> threading.Thread:
    """Cancel requests every half second until ``done``: one sent before the statement starts is
    ignored, as PostgreSQL ignores it."""

    def run() -> None:
        while not done.wait(0.5):
            conn.cancel_safe(timeout=10)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("explicit", [False, True], ids=["autocommit", "transaction"])
@pytest.mark.parametrize("protocol", ["simple", "extended"])
def test_cancel_interrupts_a_sleeping_statement(target, protocol, explicit):
    with psycopg.connect(target.dsn, autocommit=not explicit) as conn:
        done = threading.Event()
        canceller = cancel_until_done(conn, done)
        try:
            with pytest.raises(errors.QueryCanceled) as info:
                if protocol == "simple":
                    conn.execute("SELECT pg_sleep(60)")
                else:
                    conn.execute("SELECT pg_sleep(%s)", [60.0])
        finally:
            done.set()
            canceller.join(15)
        assert info.value.sqlstate == "57014"
        if explicit:
            assert conn.info.transaction_status == libpq.TransactionStatus.INERROR
            conn.rollback()
        assert conn.info.transaction_status == libpq.TransactionStatus.IDLE
        assert conn.execute("SELECT %s::bigint + 1", [1]).fetchone() == (2,)


def test_cancel_interrupts_a_pipeline(target):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        done = threading.Event()
        canceller = cancel_until_done(conn, done)
        try:
            with pytest.raises(errors.QueryCanceled):
                with conn.pipeline():
                    conn.execute(f"INSERT INTO {TABLE} VALUES (1)")
                    conn.execute("SELECT pg_sleep(%s)", [60.0])
                    conn.execute(f"INSERT INTO {TABLE} VALUES (2)")
        finally:
            done.set()
            canceller.join(15)
        assert conn.info.transaction_status == libpq.TransactionStatus.IDLE
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert committed(target) == [0]
