"""One writer process at a time on a store without a real compare-and-swap.

Where put-if-absent is only checked-then-written (gs://, az://, ... through
fsspec), two writer processes could both "win" a ref swap and one commit would
silently vanish. Instead, the first process that writes takes a lease object,
``locks/writer``, and every other process that tries to write is refused with
:class:`WriterLeaseHeld` until the lease is released (at interpreter exit) or
lapses (a writer that died, or stopped writing, holds it at most
``LEASE_SECONDS``). All storages of one URL in a process share its lease
(:func:`writer_lease`): threads are arbitrated by the process's own lock.

The lease itself can only be check-then-written too, so taking it follows
Fischer's mutual exclusion: write a unique token, wait ``SETTLE_SECONDS``, read
it back; of processes racing for a free lease only the last writer reads its own
token, provided each took less than the settle time between its check and its
write. A lease is a timeout, not a fence: a holder paused past its expiry while
another process takes over can still write once.
"""

from __future__ import annotations

import atexit
import json
import os
import socket
import threading
import time
import uuid
from datetime import datetime, timezone

from ..errors import CatalogError, StorageError
from .base import ObjectIO, dumps

LEASE_PATH = "locks/writer"
LEASE_SECONDS = 60.0
SETTLE_SECONDS = 1.0


class WriterLeaseHeld(CatalogError):
    """Another process holds the writer lease of a store that cannot arbitrate writers."""

    sqlstate = "55P03"  # lock_not_available


def _release(objects: ObjectIO, token: str) -> None:
    """Delete the lease if it is still this process's (run at exit; never raises)."""
    try:
        if json.loads(objects.read(LEASE_PATH)).get("token") == token:
            objects.delete(LEASE_PATH)
    except (CatalogError, OSError, ValueError):
        pass


class WriterLease:
    """This process's claim to be the only writer of one repository."""

    def __init__(
        self, objects: ObjectIO, store: str, ttl: float = LEASE_SECONDS, settle: float = SETTLE_SECONDS
    ) -> None:
        self.objects = objects
        self.store = store
        self.ttl = ttl
        self.settle = settle
        self.host, self.pid = socket.gethostname(), os.getpid()
        self.token = uuid.uuid4().hex
        self._until = 0.0
        self._registered = False
        self._lock = threading.Lock()

    def hold(self) -> None:
        """Make sure this process holds the lease with at least half its time left, or raise."""
        with self._lock:  # no thread writes on the strength of a lease another thread is still taking
            now = time.time()
            if self._until - now > self.ttl / 2:
                return
            current = self._read()
            live = current is not None and current.get("expires", 0) > now
            if live and current.get("token") != self.token:
                raise self._refusal(current)
            self._write(now + self.ttl)
            if not live:  # free or lapsed: others may be taking it at this very moment
                time.sleep(self.settle)
                current = self._read()
                if current is None or current.get("token") != self.token:
                    raise self._refusal(current or {})
            self._until = now + self.ttl
            if not self._registered:
                atexit.register(_release, self.objects, self.token)
                self._registered = True

    def _read(self) -> dict | None:
        """The lease, or None if there is none.

        Object PUTs are atomic, so an undecodable lease is damage rather than a
        write in progress: it is taken over like a free one (with the settle wait).
        """
        try:
            return json.loads(self.objects.read(LEASE_PATH))
        except (StorageError, ValueError):
            return None

    def _write(self, expires: float) -> None:
        self.objects.write(
            LEASE_PATH,
            dumps({"token": self.token, "host": self.host, "pid": self.pid, "expires": expires}),
            durable=True,
        )

    def _refusal(self, holder: dict) -> WriterLeaseHeld:
        expires = holder.get("expires")
        until = datetime.fromtimestamp(expires, timezone.utc).isoformat(timespec="seconds") if expires else "its expiry"
        who = f"process {holder.get('pid', '?')} on host {holder.get('host', '?')}"
        return WriterLeaseHeld(
            f"{self.store} is being written by {who}: this store has no compare-and-swap agentlake can "
            f"trust across processes, so it takes one writer process at a time. Stop that writer (its "
            f"lease is released when it exits) or wait until its lease lapses at {until}; if it is dead, "
            f"deleting {self.store}/{LEASE_PATH} frees the store now. Several concurrent writers need "
            f"s3:// or a local path."
        )


_leases: dict[tuple[int, str], WriterLease] = {}
_leases_lock = threading.Lock()


def writer_lease(objects: ObjectIO, store: str) -> WriterLease:
    """The lease of this process for ``store`` (keyed by pid too: a forked child is another writer)."""
    key = (os.getpid(), store)
    with _leases_lock:
        lease = _leases.get(key)
        if lease is None:
            lease = _leases[key] = WriterLease(objects, store)
        return lease


__all__ = ["LEASE_PATH", "LEASE_SECONDS", "SETTLE_SECONDS", "WriterLease", "WriterLeaseHeld", "writer_lease"]
