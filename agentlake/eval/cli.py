"""``agentlake eval run`` and ``agentlake eval report``."""
from __future__ import annotations

import importlib
import json
import sys

import click
from rich.console import Console


def _load_function(spec: str):
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise click.BadParameter("use module:function", param_hint="AGENT")
    sys.path.insert(0, ".")
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as err:
        raise click.BadParameter(f"cannot load {spec}: {err}", param_hint="AGENT") from None


@click.group("eval")
def eval_group() -> None:
    """Run and inspect batches of agent episodes."""


@eval_group.command("run")
@click.argument("agent")
@click.option("--repo", "-r", default="default", show_default=True, help="repository name or URL")
@click.option("--tasks", "tasks_path", type=click.File("r"), required=True, help="JSON lines, one task per line")
@click.option("--base", default="main", show_default=True)
@click.option("--workers", type=int, default=2, show_default=True)
@click.option("--scheduler", default=None, help="address of an existing Dask scheduler")
@click.option("--run-id", default=None, help="resume this run (skips finished tasks)")
@click.option("--merge", type=click.Choice(["none", "all"]), default="none", show_default=True)
@click.option("--retries", type=int, default=1, show_default=True)
@click.option("--timeout", type=float, default=600, show_default=True)
def run_command(agent, repo, tasks_path, base, workers, scheduler, run_id, merge, retries, timeout) -> None:
    """Run AGENT (module:function taking (db, task)) once per task, each on its own branch."""
    from .batch import run_batch

    tasks = [json.loads(line) for line in tasks_path if line.strip()]
    report = run_batch(repo, tasks, _load_function(agent), base=base, client=scheduler, workers=workers,
                       merge=None if merge == "none" else merge, retries=retries, timeout=timeout, run_id=run_id)
    Console().print(report)


@eval_group.command("report")
@click.argument("run_id")
@click.option("--repo", "-r", default="default", show_default=True)
@click.option("--table", default="eval_results", show_default=True)
def report_command(run_id, repo, table) -> None:
    """Show the results of run RUN_ID."""
    from .report import load_report

    console = Console()
    report = load_report(repo, run_id, table)
    console.print(report)
    console.print(report.results[["task_id", "status", "attempts", "seconds", "error"]].to_string(index=False))
