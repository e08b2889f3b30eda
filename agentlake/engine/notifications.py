"""PostgreSQL's LISTEN and NOTIFY: agents of a fleet signal each other through the database
("memory 42 changed", "plan ready") instead of polling a table.

As in PostgreSQL:

* ``NOTIFY channel [, 'payload']`` and ``pg_notify(channel, payload)`` are transactional: what a
  transaction sends is delivered when it commits (after its writes are visible), in the order
  sent, once per distinct channel and payload; a rollback, or a rollback to a savepoint taken
  before, sends nothing;
* ``LISTEN`` and ``UNLISTEN`` take effect when their transaction commits; a session receives what
  is sent on its channels from then on, its own notifications included, each with the sending
  session's process id;
* a channel is an identifier of at most 63 bytes, a payload shorter than 8000 bytes (22023).

Notifications reach the sessions of a repository in this process: the server's sessions (where
the wire protocol delivers them while the client is idle, outside a transaction block) and
embedded connections (``Connection.notifications()``). A server started with several engine
processes delivers each notification within the process of the session that sent it.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections import deque
from dataclasses import dataclass
from typing import Callable

from catalog import Repository

from ..errors import DataError

MAX_CHANNEL_BYTES = 63
MAX_PAYLOAD_BYTES = 7999
_pids = itertools.count(os.getpid() * 1000 % 2**30 + 1)
"""Process ids for embedded sessions; the server gives its sessions the ids it reports to clients."""


def next_backend_pid() -> int:
    return next(_pids)


@dataclass(frozen=True)
class Notification:
    """What a listening session receives (the wire protocol's NotificationResponse)."""

    pid: int
    channel: str
    payload: str


class NotificationHub:
    """The listening sessions of one repository in this process, by channel."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: dict[str, set[SessionNotifications]] = {}

    def listen(self, session: "SessionNotifications", channel: str) -> None:
        with self._lock:
            self._listeners.setdefault(channel, set()).add(session)

    def unlisten(self, session: "SessionNotifications", channel: str) -> None:
        with self._lock:
            listeners = self._listeners.get(channel)
            if listeners is not None:
                listeners.discard(session)
                if not listeners:
                    del self._listeners[channel]

    def publish(self, pid: int, sent: list[tuple[str, str]]) -> None:
        for channel, payload in sent:
            with self._lock:
                listeners = list(self._listeners.get(channel, ()))
            for session in listeners:
                session.deliver(Notification(pid, channel, payload))


_hubs: dict[str, NotificationHub] = {}
_hubs_lock = threading.Lock()


def hub_for(repo: Repository) -> NotificationHub:
    """The repository's hub in this process (one per repository location)."""
    location = repo.storage.uri("")
    with _hubs_lock:
        return _hubs.setdefault(location, NotificationHub())


class SessionNotifications:
    """One session's channels, what its open transaction will send and change, and what it received."""

    def __init__(self, hub: NotificationHub, backend_pid: Callable[[], int]) -> None:
        self._hub = hub
        self._backend_pid = backend_pid
        self.channels: set[str] = set()
        self._pending: list[tuple[str, str | None]] = []  # ("listen" | "unlisten", channel; None: all)
        self._outgoing: list[tuple[str, str]] = []
        self.received: deque[Notification] = deque()
        self.handlers: list[Callable[[Notification], None]] = []
        """Called with each notification as it arrives (from the sending session's thread)."""

    # statements --------------------------------------------------------------------------
    def listen(self, channel: str) -> None:
        self._pending.append(("listen", _checked_channel(channel)))

    def unlisten(self, channel: str | None) -> None:
        self._pending.append(("unlisten", None if channel is None else _checked_channel(channel)))

    def notify(self, channel: str | None, payload: str | None) -> None:
        channel = _checked_channel(channel or "")
        payload = payload or ""
        if len(payload.encode()) > MAX_PAYLOAD_BYTES:
            raise DataError("payload string too long", sqlstate="22023")
        if (channel, payload) not in self._outgoing:  # folded within a transaction, as PostgreSQL does
            self._outgoing.append((channel, payload))

    # transaction boundaries ----------------------------------------------------------------
    def mark(self) -> tuple[int, int]:
        return len(self._pending), len(self._outgoing)

    def rollback_to(self, mark: tuple[int, int]) -> None:
        del self._pending[mark[0] :]
        del self._outgoing[mark[1] :]

    def end_transaction(self, committed: bool) -> None:
        """At commit, LISTEN and UNLISTEN take effect and the notifications go out; at rollback
        neither happens."""
        pending, outgoing, self._pending, self._outgoing = self._pending, self._outgoing, [], []
        if not committed:
            return
        for action, channel in pending:
            for name in [channel] if channel is not None else sorted(self.channels):
                if action == "listen":
                    self.channels.add(name)
                    self._hub.listen(self, name)
                else:
                    self.channels.discard(name)
                    self._hub.unlisten(self, name)
        if outgoing:
            self._hub.publish(self._backend_pid(), outgoing)

    def deliver(self, notification: Notification) -> None:
        if self.handlers:
            for handler in list(self.handlers):
                handler(notification)
        else:
            self.received.append(notification)

    def close(self) -> None:
        """The session ends: it listens no more."""
        self._pending, self._outgoing = [], []
        for channel in list(self.channels):
            self._hub.unlisten(self, channel)
        self.channels.clear()


def _checked_channel(name: str) -> str:
    if not name:
        raise DataError("channel name cannot be empty", sqlstate="22023")
    if len(name.encode()) > MAX_CHANNEL_BYTES:
        raise DataError("channel name too long", sqlstate="22023")
    return name
