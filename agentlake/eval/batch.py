"""``run_batch``: many agent episodes from one base commit, fanned out on Dask.

The driver owns the bookkeeping (the results table, retries, merges); workers
run episodes and enforce their timeouts. A worker that dies or an episode that hangs is
recorded as failed and, if asked, retried; nothing already recorded is lost,
and a rerun with the same ``run_id`` skips the tasks that finished.
"""

from __future__ import annotations

import contextlib
import functools
import queue
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

import dask
from distributed import Client, Future, LocalCluster, get_client
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from catalog import CatalogError

from ..api.connection import open_repository
from ..errors import ProgrammingError, from_catalog
from .episode import EpisodeResult, episode_branch, run_episode
from .merge_policy import apply_merge_policy, merge_branches
from .report import BatchReport
from .results_table import open_results, record, recorded_attempts, results_frame, run_branch

DAY = 86_400.0
FLUSH_ROWS = 64
FLUSH_SECONDS = 1.0


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


def _task_ids(tasks: list) -> list[str]:
    ids = [str(t.get("id")) if isinstance(t, dict) and t.get("id") is not None else str(i) for i, t in enumerate(tasks)]
    if len(set(ids)) != len(ids):
        raise ProgrammingError(
            "task ids must be unique (give each task an 'id' or leave them all without one)", sqlstate="22023"
        )
    return ids


@contextlib.contextmanager
def _client(client: Client | str | None, workers: int | None):
    """Use the caller's Client, scheduler address or default Client; otherwise start local worker processes.

    The local cluster lets a task fail on its first dead worker (``allowed-failures: 0``), so that
    ``retries`` alone decides how often an episode that kills its worker runs again.
    """
    if isinstance(client, Client):
        yield client
        return
    if isinstance(client, str):
        with Client(client) as connected:
            yield connected
        return
    try:
        default = get_client()
    except ValueError:
        default = None
    if default is not None:
        yield default
        return
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster) as local,
    ):
        yield local


def run_batch(
    repo: str,
    tasks: Iterable[Any],
    agent_fn: Callable,
    base: str = "main",
    client: Client | str | None = None,
    results_table: str = "eval_results",
    merge: str | Callable | None = None,
    retries: int = 1,
    timeout: float = 600,
    run_id: str | None = None,
    keep_branches: bool = False,
    ttl: float = DAY,
    workers: int | None = None,
    durability: str = "relaxed",
    progress: bool = True,
    merge_results: bool = False,
) -> BatchReport:
    """Run ``agent_fn(db, task)`` once per task, each on its own branch from the same base commit.

    ``merge``: None (keep results only), ``"all"`` (merge every successful episode into ``base``
    in task order, collecting conflicts) or a function ``(results DataFrame with one column per
    metric) -> task ids`` choosing the episodes to merge. Episode branches use relaxed durability
    by default: they are scratch space; the results table on the run branch is written with full
    durability. With the same ``run_id``, a rerun skips the tasks that finished and numbers new
    attempts after the recorded ones, so every attempt keeps a branch of its own.
    ``merge_results`` also merges the run branch (its results table) into ``base``, after the episodes.
    """
    tasks = list(tasks)
    run_id = run_id or new_run_id()
    ids = _task_ids(tasks)
    try:
        repository = open_repository(repo)
        base_commit = repository.resolve(base)
    except CatalogError as err:
        raise from_catalog(err) from None
    url = repository.storage.url
    results_db = open_results(url, run_id, base_commit, results_table)
    recorded = recorded_attempts(results_db, results_table, run_id)
    pending = [
        (task_id, task, recorded.get(task_id, ("", 0))[1] + 1)
        for task_id, task in zip(ids, tasks)
        if recorded.get(task_id, ("",))[0] != "ok"
    ]
    started = time.perf_counter()
    retried = 0
    if pending:
        episode = functools.partial(
            run_episode,
            url,
            run_id,
            agent_fn=agent_fn,
            base_commit=base_commit,
            durability=durability,
            timeout=timeout,
            ttl=None if keep_branches else ttl,
        )
        with (
            _client(client, workers) as dask_client,
            _progress(progress, len(pending), dask_client.dashboard_link) as bar,
        ):
            retried = _fan_out(
                dask_client,
                episode,
                run_id,
                pending,
                retries,
                lambda outcomes: record(results_db, results_table, run_id, outcomes),
                bar,
            )
    frame = results_frame(results_db, results_table, run_id)
    conflicts = apply_merge_policy(url, merge, frame, base, ids) if merge else []
    if merge_results:
        conflicts += merge_branches(url, [("results", run_branch(run_id))], base)
    return BatchReport(run_id, run_branch(run_id), frame, retried, conflicts, time.perf_counter() - started)


@dataclass
class _Attempt:
    task_id: str
    task: Any
    number: int
    first: int
    branch: str


def _fan_out(
    dask_client: Client,
    episode: Callable[..., EpisodeResult],
    run_id: str,
    pending: list[tuple[str, Any, int]],
    retries: int,
    sink: Callable[[list[EpisodeResult]], None],
    bar,
) -> int:
    """Submit every pending episode, resubmit failures up to ``retries`` times, and hand final
    outcomes to ``sink`` in batches: by count, or after a quiet second, so a crash of the driver
    loses little and thousands of short episodes do not cost a commit each."""
    running: dict[Future, _Attempt] = {}
    done: queue.SimpleQueue[Future] = queue.SimpleQueue()
    retried = 0

    def submit(task_id: str, task: Any, number: int, first: int) -> None:
        future = dask_client.submit(
            episode, task_id=task_id, task=task, attempt=number, key=f"episode-{run_id}-{task_id}-{number}", pure=False
        )
        running[future] = _Attempt(task_id, task, number, first, episode_branch(run_id, task_id, number))
        future.add_done_callback(done.put)

    for task_id, task, first in pending:
        submit(task_id, task, first, first)
    buffer: list[EpisodeResult] = []
    while running:
        try:
            future = done.get(timeout=FLUSH_SECONDS if buffer else None)
        except queue.Empty:
            sink(buffer)
            buffer = []
            continue
        attempt = running.pop(future)
        outcome = _outcome(future, attempt)
        if outcome.status != "ok" and attempt.number - attempt.first < retries:
            retried += 1
            submit(attempt.task_id, attempt.task, attempt.number + 1, attempt.first)
            continue
        buffer.append(outcome)
        bar.advance()
        if len(buffer) >= FLUSH_ROWS or not running:
            sink(buffer)
            buffer = []
    return retried


def _outcome(future: Future, attempt: _Attempt) -> EpisodeResult:
    """The episode's own result, or a failure when its worker died or it could not run at all."""
    try:
        return future.result()
    except Exception as err:  # KilledWorker, CancelledError, or a task that could not be unpickled
        return EpisodeResult(
            attempt.task_id, attempt.number, attempt.branch, "failed", 0.0, error=f"{type(err).__name__}: {err}"
        )


@contextlib.contextmanager
def _progress(enabled: bool, total: int, dashboard: str | None):
    if not enabled:
        yield _NoProgress()
        return
    columns = (TextColumn("[bold]episodes"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=False) as bar:
        if dashboard:
            bar.console.print(f"Dask dashboard: {dashboard}")
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
