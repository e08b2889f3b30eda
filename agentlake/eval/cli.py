"""``agentlake eval run`` and ``agentlake eval report``."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import sys

import click
import cloudpickle
import pandas as pd
from rich.console import Console
from rich.table import Table


def _load_function(spec: str):
    """Import the agent from the working directory; ship it to workers by value, since they may not have it."""
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise click.BadParameter("use module:function", param_hint="AGENT")
    sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
        function = getattr(module, attr)
    except (ImportError, AttributeError) as err:
        raise click.BadParameter(f"cannot load {spec}: {err}", param_hint="AGENT") from None
    if os.path.abspath(getattr(module, "__file__", "") or "").startswith(os.getcwd() + os.sep):
        cloudpickle.register_pickle_by_value(module)
    return function


@click.group("eval")
def eval_group() -> None:
    """Run and inspect batches of agent episodes."""


@eval_group.command("run")
@click.argument("agent")
@click.option(
    "--repo", "-r", envvar="AGENTLAKE_REPO", default="default", show_default=True, help="repository name or URL"
)
@click.option("--tasks", "tasks_path", type=click.File("r"), required=True, help="JSON lines, one task per line")
@click.option("--base", default="main", show_default=True)
@click.option("--workers", type=int, default=2, show_default=True)
@click.option("--scheduler", default=None, help="address of an existing Dask scheduler")
@click.option("--run-id", default=None, help="resume this run (skips finished tasks)")
@click.option("--merge", type=click.Choice(["none", "all"]), default="none", show_default=True)
@click.option("--merge-results", is_flag=True, help="also merge the run's results table into the base branch")
@click.option("--retries", type=int, default=1, show_default=True)
@click.option("--timeout", type=float, default=600, show_default=True)
def run_command(
    agent, repo, tasks_path, base, workers, scheduler, run_id, merge, merge_results, retries, timeout
) -> None:
    """Run AGENT (module:function taking (db, task)) once per task, each on its own branch."""
    from .batch import run_batch

    agent_fn = _load_function(agent)
    try:
        tasks = [json.loads(line) for line in tasks_path if line.strip()]
    except json.JSONDecodeError as err:
        raise click.BadParameter(f"not JSON lines: {err}", param_hint="--tasks") from None
    with _user_errors():
        report = run_batch(
            repo,
            tasks,
            agent_fn,
            base=base,
            client=scheduler,
            workers=workers,
            merge=None if merge == "none" else merge,
            merge_results=merge_results,
            retries=retries,
            timeout=timeout,
            run_id=run_id,
        )
    console = Console()
    console.print(report)
    for conflict in report.conflicts:
        console.print(f"[yellow]not merged[/]: task {conflict['task_id']} ({conflict['conflicts']} conflicting rows)")


@eval_group.command("report")
@click.argument("run_id")
@click.option(
    "--repo", "-r", envvar="AGENTLAKE_REPO", default="default", show_default=True, help="repository name or URL"
)
@click.option("--table", default="eval_results", show_default=True)
def report_command(run_id, repo, table) -> None:
    """Show the results of run RUN_ID."""
    from .report import load_report

    with _user_errors():
        report = load_report(repo, run_id, table)
    console = Console()
    console.print(report)
    episodes = Table(title="episodes")
    for column in ("task", "status", "attempts", "seconds", "metrics", "error"):
        episodes.add_column(column)
    for row in report.results.itertuples():
        error = "" if pd.isna(row.error) else str(row.error)
        episodes.add_row(
            row.task_id,
            row.status,
            str(row.attempts),
            f"{row.seconds:.3f}",
            json.dumps(row.metrics, default=str),
            error[:80],
        )
    console.print(episodes)


@contextlib.contextmanager
def _user_errors():
    """Database errors are the user's to fix: show the message and SQLSTATE, not a traceback."""
    from ..errors import Error

    try:
        yield
    except Error as err:
        raise click.ClickException(f"{err} (SQLSTATE {err.sqlstate})") from None
