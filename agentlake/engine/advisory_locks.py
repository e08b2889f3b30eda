"""PostgreSQL's advisory locks (``pg_advisory_lock`` and its kin), shared by every session of a
repository in this process and, on local disk, by every process using the repository.

Migration tools and frameworks take one before they create their tables (langchain-postgres:
``pg_advisory_xact_lock(1573678846307946496)``; Alembic runners and Rails: ``pg_advisory_lock``),
so two of them starting at once must wait for each other, as on PostgreSQL:

* a key is a bigint or a pair of int4 (two separate key spaces, as PostgreSQL's objsubid 1 and 2);
* a lock is shared or exclusive; a session's own locks never conflict with each other, and it
  takes a lock it already holds again at once, counting each hold (re-entrant);
* session-level holds last until unlocked (one unlock per lock) or the session ends;
  transaction-level holds until the transaction ends and cannot be unlocked;
* a request that conflicts with another session's hold, or queues behind an earlier conflicting
  request, waits (``pg_try_*`` answers false instead); the wait ends with 57014 on a cancel
  request or statement_timeout, 55P03 after lock_timeout, and 40P01 when, after a second's wait
  (PostgreSQL's deadlock_timeout), the waiter finds itself in a cycle of waits.

Across processes, a repository on local disk keeps one byte-range lock (POSIX ``fcntl``) per key
held in this process in ``locks/advisory``: the process holds it shared or exclusive while any of
its sessions does, so sessions of different processes exclude each other too (waits across
processes poll, and their deadlocks end by lock_timeout, not 40P01). Other stores lock within the
process only.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import itertools
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from catalog import Repository
from catalog.storage import LocalStorage

from ..errors import OperationalError

Key = tuple[int, int]
"""(key space: 1 for a bigint, 2 for a pair of int4; the key's 64 bits)."""
SHARE, EXCLUSIVE = "ShareLock", "ExclusiveLock"
DEADLOCK_TIMEOUT_S = 1.0
_POLL_S = 0.05
"""How often a waiting request looks again: for a cancel request, a timeout, and a lock another
process released (releases in this process wake it at once)."""


def bigint_key(key: int) -> Key:
    return (1, key)


def pair_key(high: int, low: int) -> Key:
    for part in (high, low):
        if not -(2**31) <= part < 2**31:
            raise OperationalError("[SQLSTATE 22003] integer out of range", sqlstate="22003")
    return (2, ((high & 0xFFFFFFFF) << 32) | (low & 0xFFFFFFFF))


def _conflicts(mode: str, other: str) -> bool:
    return mode == EXCLUSIVE or other == EXCLUSIVE


class _FileLocks:
    """This process's byte-range locks on ``locks/advisory``: one byte per key, at a 62-bit hash of it
    (two keys sharing a byte would only wait for each other needlessly)."""

    def __init__(self, path: str) -> None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # POSIX locks vanish when any descriptor of the file closes in the process: this one stays open
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        self.modes: dict[Key, str] = {}

    @staticmethod
    def _offset(key: Key) -> int:
        digest = hashlib.blake2b(f"{key[0]}:{key[1]}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") & (2**62 - 1)

    def try_take(self, key: Key, mode: str) -> bool:
        """Hold the key's byte at least in ``mode`` without waiting; False when another process holds it."""
        held = self.modes.get(key)
        if held == EXCLUSIVE or held == mode:
            return True
        try:
            fcntl.lockf(
                self._fd, (fcntl.LOCK_EX if mode == EXCLUSIVE else fcntl.LOCK_SH) | fcntl.LOCK_NB, 1, self._offset(key)
            )
        except OSError as err:
            if err.errno in (errno.EACCES, errno.EAGAIN):
                return False
            raise
        self.modes[key] = mode
        return True

    def keep(self, key: Key, mode: str | None) -> None:
        """After a release: hold the byte in ``mode`` (what this process still holds), or let it go."""
        held = self.modes.get(key)
        if held is None or held == mode:
            return
        fcntl.lockf(self._fd, fcntl.LOCK_UN if mode is None else fcntl.LOCK_SH, 1, self._offset(key))
        if mode is None:
            del self.modes[key]
        else:
            self.modes[key] = mode


@dataclass
class _Request:
    holder: int
    key: Key
    mode: str


@dataclass
class LockTable:
    """The advisory locks of one repository in this process."""

    files: _FileLocks | None
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _holds: dict[Key, dict[int, Counter]] = field(default_factory=dict)  # key -> holder -> {mode: count}
    _queue: list[_Request] = field(default_factory=list)  # waiting requests, oldest first

    def _blockers(self, request: _Request) -> set[int]:
        """The holders a request waits for: other sessions holding the key in a conflicting mode,
        and, unless it already holds the key, earlier conflicting requests (PostgreSQL queues fairly)."""
        holds = self._holds.get(request.key, {})
        found = {
            holder
            for holder, modes in holds.items()
            if holder != request.holder
            and any(count and _conflicts(request.mode, mode) for mode, count in modes.items())
        }
        if request.holder not in holds:
            for earlier in self._queue:
                if earlier is request:
                    break
                if (
                    earlier.key == request.key
                    and earlier.holder != request.holder
                    and _conflicts(request.mode, earlier.mode)
                ):
                    found.add(earlier.holder)
        return found

    def _strongest(self, key: Key) -> str | None:
        modes = {mode for counts in self._holds.get(key, {}).values() for mode, n in counts.items() if n}
        return EXCLUSIVE if EXCLUSIVE in modes else SHARE if modes else None

    def _grant(self, request: _Request) -> bool:
        if self._blockers(request) or (self.files is not None and not self.files.try_take(request.key, request.mode)):
            return False
        self._holds.setdefault(request.key, {}).setdefault(request.holder, Counter())[request.mode] += 1
        return True

    def _in_cycle(self, request: _Request) -> bool:
        waiting = {r.holder: r for r in self._queue}
        seen: set[int] = set()
        frontier = list(self._blockers(request))
        while frontier:
            holder = frontier.pop()
            if holder == request.holder:
                return True
            if holder in seen or holder not in waiting:
                continue
            seen.add(holder)
            frontier.extend(self._blockers(waiting[holder]))
        return False

    def acquire(
        self, holder: int, key: Key, mode: str, wait: bool, check: Callable[[], None], lock_timeout_s: float
    ) -> bool:
        request = _Request(holder, key, mode)
        with self._cond:
            if self._grant(request):
                return True
            if not wait:
                return False
            self._queue.append(request)
            started = time.monotonic()
            checked_deadlock = False
            try:
                while True:
                    self._cond.wait(_POLL_S)
                    check()
                    if self._grant(request):
                        return True
                    waited = time.monotonic() - started
                    if lock_timeout_s and waited >= lock_timeout_s:
                        raise OperationalError(
                            "[SQLSTATE 55P03] canceling statement due to lock timeout", sqlstate="55P03"
                        )
                    if not checked_deadlock and waited >= DEADLOCK_TIMEOUT_S:
                        checked_deadlock = True
                        if self._in_cycle(request):
                            raise OperationalError("[SQLSTATE 40P01] deadlock detected", sqlstate="40P01")
            finally:
                self._queue.remove(request)
                self._cond.notify_all()  # requests queued behind this one may go now

    def release(self, holder: int, key: Key, mode: str, count: int = 1) -> None:
        with self._cond:
            holds = self._holds.get(key, {})
            counts = holds.get(holder)
            if counts is None:
                return
            counts[mode] -= count
            if counts[mode] <= 0:
                del counts[mode]
            if not counts:
                del holds[holder]
            if not holds:
                self._holds.pop(key, None)
            if self.files is not None:
                self.files.keep(key, self._strongest(key))
            self._cond.notify_all()


_tables: dict[str, LockTable] = {}
_tables_lock = threading.Lock()
_holders = itertools.count(1)


def lock_table(repo: Repository) -> LockTable:
    """The repository's lock table in this process (one per repository location)."""
    storage = repo.storage
    location = storage.uri("")
    with _tables_lock:
        table = _tables.get(location)
        if table is None:
            files = (
                _FileLocks(os.path.join(storage.root, "locks", "advisory"))
                if isinstance(storage, LocalStorage)
                else None
            )
            table = _tables[location] = LockTable(files)
        return table


class SessionLocks:
    """One session's advisory locks: its session-level and transaction-level holds."""

    def __init__(self, table: LockTable, check: Callable[[], None], lock_timeout_s: Callable[[], float]) -> None:
        self._table = table
        self._holder = next(_holders)
        self._check, self._lock_timeout_s = check, lock_timeout_s
        self._session: Counter = Counter()  # (key, mode) -> holds
        self._transaction: Counter = Counter()

    def lock(self, key: Key, shared: bool, transaction: bool, wait: bool) -> bool:
        mode = SHARE if shared else EXCLUSIVE
        if not self._table.acquire(self._holder, key, mode, wait, self._check, self._lock_timeout_s()):
            return False
        (self._transaction if transaction else self._session)[(key, mode)] += 1
        return True

    def unlock(self, key: Key, shared: bool) -> bool:
        """One session-level hold less; False when there is none (PostgreSQL then warns)."""
        mode = SHARE if shared else EXCLUSIVE
        if not self._session[(key, mode)]:
            return False
        self._session[(key, mode)] -= 1
        self._table.release(self._holder, key, mode)
        return True

    def unlock_all(self) -> None:
        """Every session-level hold (pg_advisory_unlock_all, and the end of the session)."""
        self._release(self._session)

    def end_transaction(self) -> None:
        self._release(self._transaction)

    def close(self) -> None:
        """The session ended: every hold goes."""
        self.unlock_all()
        self.end_transaction()

    def _release(self, holds: Counter) -> None:
        for (key, mode), count in holds.items():
            if count:
                self._table.release(self._holder, key, mode, count)
        holds.clear()
