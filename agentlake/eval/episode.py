"""What runs on a Dask worker: one episode of one task on its own branch.

The timeout is enforced here, on the worker, because only the worker knows when
an episode really started (tasks wait in Dask's queues for an unknown time).
The agent runs in its own thread; when it overstays, the episode is reported
as failed at once, the thread is asked to stop, and the worker moves on.
"""

from __future__ import annotations

import ctypes
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class EpisodeResult:
    """The outcome the driver records; plain data so it pickles across processes."""

    task_id: str
    attempt: int
    branch: str
    status: str
    seconds: float
    metrics: dict = field(default_factory=dict)
    head_commit: str | None = None
    error: str | None = None


class EpisodeTimeout(Exception):
    """Raised inside an agent thread that ran past its timeout (pure-Python code stops on it)."""


def episode_branch(run_id: str, task_id: str, attempt: int) -> str:
    """Branch names derive from the run, the task and the attempt, so a rerun finds its own work."""
    return f"eval/{run_id}/{task_id}/{attempt}"


def run_episode(
    repo: str,
    run_id: str,
    task_id: str,
    task: Any,
    agent_fn: Callable,
    base_commit: str,
    attempt: int,
    durability: str,
    timeout: float,
    ttl: float | None,
) -> EpisodeResult:
    """Let the agent work on a fresh branch made from the shared base commit, for at most ``timeout`` s.

    A successful episode's branch gets ``ttl`` (None keeps it); a failed one's is kept for inspection.
    """
    branch = episode_branch(run_id, task_id, attempt)
    started = time.perf_counter()
    box: dict[str, EpisodeResult] = {}
    expired = threading.Event()

    def work() -> None:
        box["result"] = _episode(
            repo, branch, task_id, task, agent_fn, base_commit, attempt, durability, ttl, started, expired
        )

    thread = threading.Thread(target=work, name=f"agentlake episode {branch}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        expired.set()
        _interrupt(thread)
        return EpisodeResult(
            task_id, attempt, branch, "failed", time.perf_counter() - started, error=f"timed out after {timeout:g} s"
        )
    return box["result"]


def _episode(
    repo: str,
    branch: str,
    task_id: str,
    task: Any,
    agent_fn: Callable,
    base_commit: str,
    attempt: int,
    durability: str,
    ttl: float | None,
    started: float,
    expired: threading.Event,
) -> EpisodeResult:
    import agentlake
    from agentlake.api.connection import open_repository

    try:
        repository = open_repository(repo, durability)
        _fresh_branch(repository, branch, base_commit)
        db = agentlake.connect(repository, branch=branch, create=False, durability=durability)
        try:
            metrics = agent_fn(db, task)
            if metrics is not None and not isinstance(metrics, dict):
                raise TypeError(f"agent_fn must return a dict of metrics or None, not {type(metrics).__name__}")
            db.commit()
        finally:
            db.close()
        head = repository.head(branch)
        if ttl is not None and not expired.is_set():
            repository.set_ttl(branch, ttl)
        return EpisodeResult(task_id, attempt, branch, "ok", time.perf_counter() - started, metrics or {}, head)
    except Exception as err:  # the agent's failure is data for the report, not a crash of the batch
        return EpisodeResult(
            task_id,
            attempt,
            branch,
            "failed",
            time.perf_counter() - started,
            error="".join(traceback.format_exception_only(type(err), err)).strip(),
        )


def _fresh_branch(repository, branch: str, base_commit: str) -> None:
    """Create the episode's branch at the base commit; a leftover from an unrecorded attempt starts over."""
    from catalog import RefExists

    try:
        repository.create_branch(branch, from_=base_commit)
    except RefExists:
        repository.delete_branch(branch)
        repository.create_branch(branch, from_=base_commit)


def _interrupt(thread: threading.Thread) -> None:
    """Raise EpisodeTimeout in the agent's thread; code blocked in C sees it when it returns to Python."""
    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(EpisodeTimeout))
