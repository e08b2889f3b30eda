"""Work that follows a commit, off the committer's path: a bounded queue per repository object,
served by one worker thread, with every job kept as a record (queued, running, done, failed).

The commit point is the ref swap; what comes after (index builds for the files a commit added,
compaction) is an optimisation readers never wait for: a file without its index is searched
exactly, a table not yet compacted reads the same rows. So a job that fails is retried, and one
that keeps failing is recorded with its error, never raised into the statement that committed.
The queue is bounded: past ``capacity`` a new job is recorded as failed at once rather than
queued, so a burst of commits cannot grow memory or hold up its writers.

The records are published for other processes (``agentlake status``) at most every
``PUBLISH_INTERVAL_S`` and once more when the work has settled: writing every record after every
job (one per commit to an indexed table) took a third of a process's CPU from its writers.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import itertools
import json
import logging
import os
import socket
import threading
import time
import weakref
from dataclasses import dataclass, field, fields, replace
from typing import Callable, Iterator

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
DEFAULT_CAPACITY = 256
DEFAULT_ATTEMPTS = 3
RETRY_PAUSE_S = 0.1
HISTORY = 1000
JOBS_PREFIX = "jobs"
PUBLISH_INTERVAL_S = 0.5


@dataclass
class Job:
    """One piece of post-commit work and what became of it (``error``: the last failure's text)."""

    id: int
    kind: str
    target: str
    state: str = QUEUED
    attempts: int = 0
    error: str | None = None
    queued_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    run: Callable[[], object] | None = field(default=None, repr=False, compare=False)


class JobQueue:
    """Jobs of one repository object; the worker thread lives while there is work, so an idle
    repository holds no thread (the next job starts another)."""

    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        attempts: int = DEFAULT_ATTEMPTS,
        publish: Callable[[list[Job]], None] | None = None,
    ) -> None:
        self.capacity = capacity
        self._publish = publish  # called by the worker after each job, with every record (other processes read it)
        self.attempts = attempts
        self._cond = threading.Condition()
        self._queue: collections.deque[Job] = collections.deque()
        self._active: dict[int, Job] = {}  # queued or running
        self._finished: collections.deque[Job] = collections.deque(maxlen=HISTORY)
        self._ids = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._stopping = False
        self._unpublished = False  # a record changed since the last publish
        self._published_at = 0.0
        _queues.add(self)

    def submit(self, kind: str, target: str, run: Callable[[], object]) -> Job:
        """Queue ``run``; returns at once and never raises (a full queue records the job as failed)."""
        job = Job(next(self._ids), kind, target, run=run)
        with self._cond:
            if len(self._active) >= self.capacity or self._stopping:
                why = "shutting down" if self._stopping else f"job queue is full ({self.capacity} jobs)"
                self._finish(job, FAILED, why)
                return replace(job, run=None)
            self._active[job.id] = job
            self._queue.append(job)
            self._wake_worker()
            self._cond.notify_all()
        return replace(job, run=None)

    @contextlib.contextmanager
    def track(self, kind: str, target: str) -> Iterator[Job]:
        """Record work another thread runs itself (the compactor) as a job; its exception marks the
        job failed and goes on to the caller, which decides whether to try again."""
        job = Job(next(self._ids), kind, target, state=RUNNING, attempts=1, started_at=time.time())
        with self._cond:
            self._active[job.id] = job
        try:
            yield job
        except BaseException as err:
            with self._cond:
                self._finish(self._active.pop(job.id), FAILED, _text(err))
            raise
        with self._cond:
            self._finish(self._active.pop(job.id), DONE, None)

    def jobs(self) -> list[Job]:
        """Copies of every job known, oldest first: finished ones (the last ``HISTORY``), then the rest."""
        with self._cond:
            return [replace(job, run=None) for job in [*self._finished, *self._active.values()]]

    def wait_idle(self, timeout: float) -> bool:
        """Block until no job is queued or running and their records are published; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._active or self._unpublished:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
            return True

    def stop(self, timeout: float = 10.0) -> None:
        """Refuse new jobs, let the running one finish; queued jobs are dropped as failed."""
        with self._cond:
            self._stopping = True
            while self._queue:
                job = self._queue.popleft()
                self._finish(self._active.pop(job.id), FAILED, "shutting down")
            thread = self._thread
            self._cond.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    # the worker ---------------------------------------------------------------
    def _wake_worker(self) -> None:
        """Start the worker thread (under the lock) if there is none, or this process was forked
        without it; not once stopping."""
        if not self._stopping and (self._thread is None or self._pid != os.getpid()):
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._serve, name="agentlake-jobs", daemon=True)
            self._thread.start()

    def _finish(self, job: Job, state: str, error: str | None) -> None:
        job.state, job.finished_at, job.run = state, time.time(), None
        if error is not None:
            job.error = error
        self._finished.append(job)
        if self._publish is not None:
            self._unpublished = True
            self._wake_worker()  # a job the compactor tracked ran on its own thread: the worker publishes it
        self._cond.notify_all()

    def _next(self) -> Job | None:
        """The next queued job, publishing the records first when they are due; None when nothing
        is left to run or publish (the thread ends)."""
        while True:
            with self._cond:
                if self._queue:
                    job = self._queue.popleft()
                    job.state, job.started_at = RUNNING, time.time()
                    job.attempts += 1
                    self._unpublished = self._publish is not None  # its record now says running
                    if not self._unpublished or self._publish_wait() > 0:
                        return job
                    publish: list[Job] = self._records()
                else:
                    settled = self._stopping or not self._active
                    if settled and not self._unpublished:
                        self._thread = None  # nothing left: the thread ends
                        return None
                    due = self._publish_wait()
                    if not self._unpublished or (due > 0 and not self._stopping):
                        self._cond.wait(due if self._unpublished else 0.5)  # a job may be in its retry pause
                        continue
                    job, publish = None, self._records()
            self._published(publish)
            if job is not None:
                return job

    def _serve(self) -> None:
        while (job := self._next()) is not None:
            try:
                job.run()
            except Exception as err:  # noqa: BLE001 - a failing job is recorded, never raised into a commit
                log.warning("%s of %s failed (attempt %d): %s", job.kind, job.target, job.attempts, err)
                self._failed(job, _text(err))
            else:
                with self._cond:
                    self._finish(self._active.pop(job.id), DONE, None)

    def _publish_wait(self) -> float:
        """Seconds until the records may be published again (none left: now)."""
        return self._published_at + PUBLISH_INTERVAL_S - time.monotonic()

    def _records(self) -> list[Job]:
        """Every record as it stands, for the publisher (under the lock); the changes are now taken."""
        self._unpublished = False
        self._published_at = time.monotonic()
        return [*self._finished, *self._active.values()]

    def _published(self, jobs: list[Job]) -> None:
        try:
            self._publish(jobs)
        except Exception as err:  # noqa: BLE001 - the record is a courtesy to other processes; work goes on
            log.debug("job record not published: %s", err)
        with self._cond:
            self._cond.notify_all()  # wait_idle waits for the records too

    def _failed(self, job: Job, error: str) -> None:
        with self._cond:
            if job.attempts >= self.attempts or self._stopping:
                self._finish(self._active.pop(job.id), FAILED, error)
                return
            job.state, job.error = QUEUED, error
        pause = RETRY_PAUSE_S * 2 ** (job.attempts - 1)
        timer = threading.Timer(pause, self._requeue, (job,))
        timer.daemon = True
        timer.start()

    def _requeue(self, job: Job) -> None:
        with self._cond:
            if self._stopping:
                self._finish(self._active.pop(job.id), FAILED, job.error)
                return
            self._queue.append(job)
            self._cond.notify_all()


_RECORD_FIELDS = tuple(f.name for f in fields(Job) if f.name != "run")


def publisher(storage) -> Callable[[list[Job]], None]:
    """Writes this process's job records to ``jobs/<host>-<pid>.json`` in the repository, where
    ``agentlake status`` (another process) reads them with :func:`published_jobs`."""
    path = f"{JOBS_PREFIX}/{socket.gethostname()}-{os.getpid()}.json"

    def publish(jobs: list[Job]) -> None:
        records = [{name: getattr(job, name) for name in _RECORD_FIELDS} for job in jobs]
        storage.write(path, json.dumps({"updated": time.time(), "jobs": records}).encode(), durable=False)

    return publish


def published_jobs(storage) -> dict[str, dict]:
    """Every process's last published records: ``{"host-pid": {"updated": ..., "jobs": [...]}}``."""
    found = {}
    for path, _ in storage.walk(JOBS_PREFIX):
        name = os.path.basename(path)
        if name.endswith(".json"):
            try:
                found[name[:-5]] = json.loads(storage.read(path.replace(os.sep, "/")))
            except (OSError, ValueError):
                continue  # being rewritten, or gone
    return found


def _text(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"


_queues: "weakref.WeakSet[JobQueue]" = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    """Let a job in flight finish before the interpreter tears down its modules."""
    for queue in list(_queues):
        queue.stop()


__all__ = ["Job", "JobQueue", "QUEUED", "RUNNING", "DONE", "FAILED", "publisher", "published_jobs"]
