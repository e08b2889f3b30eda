"""LISTEN, NOTIFY and pg_notify over the wire, with the same assertions on agentlake and PostgreSQL
16: delivery to other sessions and to the sender with its backend pid, at commit and not at
rollback or before a savepoint rolled back to, duplicates folded, held while the listener is in a
transaction block, UNLISTEN, LISTEN taking effect at commit, 22023 for bad channels and payloads;
psycopg's notification handlers and asyncpg's listeners."""

from __future__ import annotations

import asyncio
import time

import psycopg
import pytest

from .reference_postgres import target  # noqa: F401 - fixture

asyncpg = pytest.importorskip("asyncpg")


class Inbox:
    """The notifications a psycopg connection has received (notifies() also yields those that came
    in while other statements ran)."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.received: list[tuple[str, str, int]] = []

    def wait(self, count: int, timeout: float = 3.0) -> list[tuple[str, str, int]]:
        """What has arrived, waiting until ``count`` have (or the timeout)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and (left := deadline - time.monotonic()) > 0:
            for notify in self.conn.notifies(timeout=min(left, 0.2), stop_after=count - len(self.received)):
                self.received.append((notify.channel, notify.payload, notify.pid))
        return self.received


@pytest.fixture
def sessions(target):
    listener = psycopg.connect(target.dsn, autocommit=True)
    sender = psycopg.connect(target.dsn, autocommit=True)
    yield listener, sender, Inbox(listener)
    listener.close()
    sender.close()


def test_notify_reaches_listeners_at_commit(sessions):
    listener, sender, inbox = sessions
    listener.execute("LISTEN jobs")
    sender.execute("NOTIFY jobs, 'first'")
    sender.execute("SELECT pg_notify('jobs', 'second')")
    with sender.transaction():
        sender.execute("NOTIFY jobs, 'third'")
        sender.execute("NOTIFY jobs, 'third'")  # the same channel and payload: sent once
        sender.execute("NOTIFY Jobs")  # unquoted: the same channel
    received = inbox.wait(4)
    pid = sender.info.backend_pid
    assert received == [("jobs", "first", pid), ("jobs", "second", pid), ("jobs", "third", pid), ("jobs", "", pid)]


def test_rolled_back_notifications_are_not_sent(sessions):
    listener, sender, inbox = sessions
    listener.execute("LISTEN jobs")
    sender.execute("BEGIN")
    sender.execute("NOTIFY jobs, 'rolled back'")
    sender.execute("ROLLBACK")
    sender.execute("BEGIN")
    sender.execute("NOTIFY jobs, 'kept'")
    sender.execute("SAVEPOINT s")
    sender.execute("NOTIFY jobs, 'undone'")
    sender.execute("ROLLBACK TO SAVEPOINT s")
    sender.execute("COMMIT")
    sender.execute("NOTIFY jobs, 'last'")
    assert [payload for _, payload, _ in inbox.wait(2)] == ["kept", "last"]


def test_a_session_hears_itself_and_stops_at_unlisten(sessions):
    listener, _, inbox = sessions
    assert listener.execute("SELECT pg_backend_pid()").fetchone() == (listener.info.backend_pid,)
    listener.execute("LISTEN jobs")
    listener.execute("NOTIFY jobs, 'to myself'")
    assert inbox.wait(1) == [("jobs", "to myself", listener.info.backend_pid)]
    listener.execute("UNLISTEN *")
    listener.execute("NOTIFY jobs, 'unheard'")
    assert inbox.wait(2, timeout=0.5) == [("jobs", "to myself", listener.info.backend_pid)]


def test_listen_takes_effect_at_commit_and_delivery_waits_for_the_block_to_end(sessions):
    listener, sender, inbox = sessions
    listener.execute("BEGIN")
    listener.execute("LISTEN later")
    listener.execute("ROLLBACK")
    sender.execute("NOTIFY later, 'missed'")
    listener.execute("BEGIN")
    listener.execute("LISTEN later")
    listener.execute("COMMIT")
    listener.execute("BEGIN")
    sender.execute("NOTIFY later, 'held'")
    listener.execute("SELECT 1")
    assert inbox.wait(1, timeout=0.5) == []  # the listener is in a transaction block: not yet
    listener.execute("COMMIT")
    assert [payload for _, payload, _ in inbox.wait(1)] == ["held"]


@pytest.mark.parametrize(
    "sql, sqlstate",
    [("SELECT pg_notify('', 'x')", "22023"), ("SELECT pg_notify('jobs', repeat('x', 8000))", "22023")],
)
def test_bad_channels_and_payloads(sessions, sql, sqlstate):
    _, sender, _ = sessions
    with pytest.raises(psycopg.Error) as err:
        sender.execute(sql)
    assert err.value.sqlstate == sqlstate
    assert sender.execute("SELECT 1").fetchone() == (1,)


def test_asyncpg_listener(target):
    async def run() -> tuple[str, str, bool]:
        listener = await asyncpg.connect(**target.asyncpg)
        sender = await asyncpg.connect(**target.asyncpg)
        arrived: asyncio.Queue = asyncio.Queue()
        await listener.add_listener(
            "agents", lambda conn, pid, channel, payload: arrived.put_nowait((channel, payload, pid))
        )
        await sender.execute("NOTIFY agents, 'plan ready'")
        channel, payload, pid = await asyncio.wait_for(arrived.get(), 5)
        sender_pid = sender.get_server_pid()
        await listener.close()
        await sender.close()
        return channel, payload, pid == sender_pid

    assert asyncio.run(run()) == ("agents", "plan ready", True)
