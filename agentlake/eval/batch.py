"""``run_batch``: many agent episodes from one base commit, fanned out on Dask.

The driver owns all bookkeeping (the results table, retries, timeouts, merges);
workers only run episodes. A worker that dies or an episode that hangs is
recorded as failed and, if asked, retried; nothing already recorded is lost,
and a rerun with the same ``run_id`` skips the tasks that finished.
"""
from __future__ import annotations

import contextlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from distributed import Client, Future, LocalCluster, get_client, wait
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..connection import open_repository
from .episode import EpisodeResult, episode_branch, run_episode
from .merge_policy import apply_merge_policy
from .report import BatchReport
from .results import finished_tasks, open_results, record, results_frame, run_branch

DAY = 86_400.0


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


def _task_ids(tasks: list) -> list[str]:
    ids = [str(t.get("id")) if isinstance(t, dict) and t.get("id") is not None else str(i) for i, t in enumerate(tasks)]
    if len(set(ids)) != len(ids):
        raise ValueError("task ids must be unique (give each task an 'id' or leave them all without one)")
    return ids


@contextlib.contextmanager
def _client(client: Client | str | None, workers: int | None):
    """Use the caller's Client or scheduler address; otherwise start local worker processes."""
    if isinstance(client, Client):
        yield client
        return
    if isinstance(client, str):
        with Client(client) as connected:
            yield connected
        return
    with contextlib.suppress(ValueError):
        yield get_client()
        return
    with LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as local:
        yield local


def run_batch(repo: str, tasks: Iterable[Any], agent_fn: Callable, base: str = "main", client: Client | str | None = None,
              results_table: str = "eval_results", merge: str | Callable | None = None, retries: int = 1,
              timeout: float = 600, run_id: str | None = None, keep_branches: bool = False, ttl: float = DAY,
              workers: int | None = None, durability: str = "relaxed", progress: bool = True) -> BatchReport:
    """Run ``agent_fn(db, task)`` once per task, each on its own branch from the same base commit.

    ``merge``: None (keep results only), ``"all"`` (merge every successful episode into ``base``
    in task order, collecting conflicts) or a function ``(results DataFrame) -> task ids`` to merge.
    Episode branches use relaxed durability by default: they are scratch space; the results
    table on the run branch is written with full durability.
    """
    tasks = list(tasks)
    run_id = run_id or new_run_id()
    repository = open_repository(repo)
    url = repository.storage.url
    base_commit = repository.resolve(base)
    ids = _task_ids(tasks)
    results_db = open_results(url, run_id, base_commit, results_table)
    done = finished_tasks(results_db, results_table)
    pending = [(task_id, task) for task_id, task in zip(ids, tasks) if task_id not in done]
    started = time.perf_counter()
    retried = 0
    outcomes: dict[str, EpisodeResult] = {}
    with _client(client, workers) as dask, _progress(progress, len(pending)) as bar:
        running: dict[Future, _Attempt] = {}

        def submit(task_id: str, task: Any, attempt: int) -> None:
            future = dask.submit(run_episode, url, run_id, task_id, task, agent_fn, base_commit, attempt,
                                 durability, key=f"episode-{run_id}-{task_id}-{attempt}", pure=False)
            running[future] = _Attempt(task_id, task, attempt, time.monotonic() + timeout,
                                       episode_branch(run_id, task_id, attempt))

        for task_id, task in pending:
            submit(task_id, task, 1)
        buffer: list[EpisodeResult] = []
        while running:
            for future, outcome in _finished(dask, running):
                attempt = running.pop(future)
                if outcome.status != "ok" and attempt.number <= retries:
                    retried += 1
                    submit(attempt.task_id, attempt.task, attempt.number + 1)
                    continue
                outcomes[attempt.task_id] = outcome
                buffer.append(outcome)
                bar.advance()
            if len(buffer) >= 64 or (buffer and not running):
                record(results_db, results_table, run_id, buffer)
                buffer = []
    for outcome in outcomes.values():
        if outcome.status == "ok" and not keep_branches:
            repository.set_ttl(outcome.branch, ttl)
    frame = results_frame(results_db, results_table)
    conflicts = apply_merge_policy(url, merge, frame, base) if merge else []
    return BatchReport(run_id, run_branch(run_id), frame, retried, conflicts, time.perf_counter() - started)


@dataclass
class _Attempt:
    task_id: str
    task: Any
    number: int
    deadline: float
    branch: str


def _finished(dask: Client, running: dict[Future, _Attempt]) -> list[tuple[Future, EpisodeResult]]:
    """Episodes that ended (well or badly) and those that ran past their deadline."""
    with contextlib.suppress(TimeoutError):
        wait(list(running), timeout=0.25, return_when="FIRST_COMPLETED")
    out, now = [], time.monotonic()
    for future, attempt in running.items():
        branch = attempt.branch
        if future.done():
            try:
                out.append((future, future.result()))
            except Exception as err:  # the worker died (KilledWorker) or the task could not start
                out.append((future, EpisodeResult(attempt.task_id, attempt.number, branch, "failed", 0.0,
                                                  error=f"{type(err).__name__}: {err}")))
        elif attempt.deadline < now:
            _restart_worker_running(dask, future)
            future.cancel()
            out.append((future, EpisodeResult(attempt.task_id, attempt.number, branch, "failed", 0.0,
                                              error="timed out")))
    return out


def _restart_worker_running(dask: Client, future: Future) -> None:
    """A hung episode holds its worker thread; restarting that worker frees it."""
    with contextlib.suppress(Exception):
        workers = [w for w, keys in dask.processing().items() if future.key in keys]
        if workers:
            dask.restart_workers(workers)


@contextlib.contextmanager
def _progress(enabled: bool, total: int):
    if not enabled:
        yield _NoProgress()
        return
    columns = (TextColumn("[bold]episodes"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task("episodes", total=total)
        yield _Bar(bar, task)


class _Bar:
    def __init__(self, bar: Progress, task) -> None:
        self.bar, self.task = bar, task

    def advance(self) -> None:
        self.bar.advance(self.task)


class _NoProgress:
    def advance(self) -> None:
        pass
