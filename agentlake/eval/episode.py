"""What runs on a Dask worker: one episode of one task on its own branch."""
from __future__ import annotations

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


def episode_branch(run_id: str, task_id: str, attempt: int) -> str:
    """Branch names derive from the run and the task, so a rerun finds its own work."""
    return f"eval/{run_id}/{task_id}/{attempt}"


def run_episode(repo: str, run_id: str, task_id: str, task: Any, agent_fn: Callable, base_commit: str,
                attempt: int, durability: str) -> EpisodeResult:
    """Connect to a fresh branch made from the shared base commit and let the agent work."""
    import agentlake

    branch = episode_branch(run_id, task_id, attempt)
    started = time.perf_counter()
    try:
        db = agentlake.connect(repo, branch=branch, from_=base_commit, durability=durability)
        metrics = agent_fn(db, task)
        if metrics is not None and not isinstance(metrics, dict):
            raise TypeError(f"agent_fn must return a dict of metrics or None, not {type(metrics).__name__}")
        db.commit()
        head = db.repository.head(branch)
        db.close()
        return EpisodeResult(task_id, attempt, branch, "ok", time.perf_counter() - started, metrics or {}, head)
    except Exception as err:  # the agent's failure is data for the report, not a crash of the batch
        return EpisodeResult(task_id, attempt, branch, "failed", time.perf_counter() - started,
                             error="".join(traceback.format_exception_only(type(err), err)).strip())
