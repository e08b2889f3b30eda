"""The background worker that runs compaction after commits and merges, off the writer's path.

A commit or merge only tells the worker that its branch changed and returns;
the worker, one thread per repository object and process, applies the policy
(:mod:`catalog.compaction`) as an ordinary optimistic transaction. It never
holds a lock a writer waits on: if the branch moves under it, its commit
replays (concurrent deletes carry over to the rewritten files) or gives up and
tries again after the next change. Readers see the same rows before and after.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from typing import TYPE_CHECKING

from .compaction import maybe_compact

if TYPE_CHECKING:
    from .repository import Repository

log = logging.getLogger(__name__)
RETRY_PAUSE_S = 0.05


class Compactor:
    """Pending branches and quiet-time deadlines of one repository, served by a daemon thread
    that lives while there is work (no idle thread per repository object)."""

    def __init__(self, repo: "Repository") -> None:
        self._repo = weakref.ref(repo)  # the worker must not keep a closed repository alive
        self._cond = threading.Condition()
        self._pending: set[str] = set()
        self._quiet_since: dict[str, float] = {}  # branch -> last change, until it settles
        self._busy = False
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._stopping = False

    def notify(self, branch: str) -> None:
        """A commit or merge moved ``branch``; returns at once."""
        with self._cond:
            self._pending.add(branch)
            self._quiet_since[branch] = time.monotonic()
            if self._thread is None or self._pid != os.getpid():  # none yet, or forked without it
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="agentlake-compactor", daemon=True)
                self._thread.start()
                _running.add(self)
            self._cond.notify()

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is pending or running (settling included); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._quiet_since or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
            return True

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            thread = self._thread
            self._cond.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)

    def _next(self) -> tuple[str, bool] | None:
        """The next (branch, settle) to work on, waiting for one; None when stopping."""
        with self._cond:
            self._busy = False
            self._cond.notify_all()
            while not self._stopping:
                repo = self._repo()
                if repo is None:
                    return None
                settle_after = repo.compaction.settle_after
                del repo
                if self._pending:
                    self._busy = True
                    return self._pending.pop(), False
                now = time.monotonic()
                due = [b for b, t in self._quiet_since.items() if now - t >= settle_after]
                if due:
                    self._busy = True
                    del self._quiet_since[due[0]]
                    return due[0], True
                if not self._quiet_since:
                    break  # nothing left to do: the thread ends, and the next change starts another
                self._cond.wait(min(t + settle_after - now for t in self._quiet_since.values()))
            self._thread = None
            return None

    def _run(self) -> None:
        while (job := self._next()) is not None:
            branch, settle = job
            repo = self._repo()
            if repo is None or not repo.compaction.enabled:
                continue
            try:
                done = maybe_compact(repo, branch, settle)
            except Exception as err:  # noqa: BLE001 - e.g. the branch was deleted: the worker must live on
                log.debug("compaction of %s skipped: %s", branch, err)
                continue
            if not done:
                time.sleep(RETRY_PAUSE_S)
                with self._cond:
                    self._pending.add(branch)
                    if settle:
                        self._quiet_since.setdefault(branch, time.monotonic())


_running: "weakref.WeakSet[Compactor]" = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    """Let a compaction in flight finish before the interpreter tears down its modules."""
    for compactor in list(_running):
        compactor.stop()


__all__ = ["Compactor"]
