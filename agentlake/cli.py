"""The ``agentlake`` command line: repositories, branches, tags, history, diff, merge and upkeep.

Every command takes ``--repo`` (a name under $AGENTLAKE_HOME or any fsspec URL,
default from $AGENTLAKE_REPO or ``default``). Other parts of agentlake attach
their own commands with ``main.add_command``.
"""

from __future__ import annotations

import functools
import json
import sys
from datetime import datetime, timezone
from typing import Callable

import click
from rich.console import Console
from rich.table import Table

from catalog import CatalogError, MergeConflict, Repository

from .engine.repositories import open_repository

console = Console()
errors = Console(stderr=True)


def repo_option(command: Callable) -> Callable:
    """``--repo``/``-R`` for any command; shared so added commands read the same way."""
    return click.option(
        "--repo",
        "-R",
        envvar="AGENTLAKE_REPO",
        default="default",
        show_default=True,
        help="Repository name (folder under $AGENTLAKE_HOME) or URL (file://, s3://, memory://).",
    )(command)


def open_repo(repo: str, create: bool = False) -> Repository:
    return open_repository(repo, create=create)


def catalog_errors(command: Callable) -> Callable:
    """Print catalog errors with their SQLSTATE and exit 1 instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except CatalogError as err:
            errors.print(f"[red]ERROR[/] {err.sqlstate}: {err}")
            sys.exit(1)

    return wrapper


def _when(ts: float | None) -> str:
    return "" if ts is None else datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


@click.group()
@click.version_option(package_name="agentlake")
def main() -> None:
    """agentlake: a versioned SQL + vector database for AI agents."""


@main.command()
@repo_option
@catalog_errors
def init(repo: str) -> None:
    """Create a repository (or open an existing one) and show its main branch."""
    opened = open_repo(repo, create=True)
    console.print(
        f"repository [bold]{opened.storage.url}[/] format {opened.config['format_version']}, "
        f"main at {opened.head('main')[:12]}"
    )


@main.group()
def branch() -> None:
    """Create, list and delete branches."""


@branch.command("create")
@click.argument("name")
@click.option("--from", "from_", default="main", show_default=True, help="Branch, tag or commit to start from.")
@click.option("--ttl", type=float, default=None, help="Seconds until GC removes the branch (ephemeral branch).")
@repo_option
@catalog_errors
def branch_create(name: str, from_: str, ttl: float | None, repo: str) -> None:
    """Create branch NAME; copies no data."""
    state = open_repo(repo).create_branch(name, from_=from_, ttl=ttl)
    console.print(f"created branch [bold]{name}[/] at {state.commit[:12]}")


@branch.command("list")
@repo_option
@catalog_errors
def branch_list(repo: str) -> None:
    """List branches with their head commit and expiry."""
    table = Table("branch", "commit", "created (UTC)", "expires (UTC)")
    for name, state in sorted(open_repo(repo).branches().items()):
        table.add_row(name, state.commit[:12], _when(state.created), _when(state.expires))
    console.print(table)


@branch.command("delete")
@click.argument("name")
@repo_option
@catalog_errors
def branch_delete(name: str, repo: str) -> None:
    """Delete branch NAME (its commits stay until GC finds them unreachable)."""
    open_repo(repo).delete_branch(name)
    console.print(f"deleted branch [bold]{name}[/]")


@main.group()
def tag() -> None:
    """Create, list and delete tags (fixed names for commits)."""


@tag.command("create")
@click.argument("name")
@click.argument("ref", default="main")
@repo_option
@catalog_errors
def tag_create(name: str, ref: str, repo: str) -> None:
    """Tag REF (default main) as NAME."""
    state = open_repo(repo).create_tag(name, ref)
    console.print(f"created tag [bold]{name}[/] at {state.commit[:12]}")


@tag.command("list")
@repo_option
@catalog_errors
def tag_list(repo: str) -> None:
    """List tags."""
    table = Table("tag", "commit", "created (UTC)")
    for name, state in sorted(open_repo(repo).tags().items()):
        table.add_row(name, state.commit[:12], _when(state.created))
    console.print(table)


@tag.command("delete")
@click.argument("name")
@repo_option
@catalog_errors
def tag_delete(name: str, repo: str) -> None:
    """Delete tag NAME."""
    open_repo(repo).delete_tag(name)
    console.print(f"deleted tag [bold]{name}[/]")


@main.command()
@click.argument("ref", default="main")
@click.option("--limit", "-n", type=int, default=20, show_default=True, help="Show at most this many commits.")
@repo_option
@catalog_errors
def log(ref: str, limit: int, repo: str) -> None:
    """Commits of REF, newest first (first parents)."""
    table = Table("commit", "time (UTC)", "author", "message", "tables")
    for commit_id, commit in open_repo(repo).log(ref, limit):
        merge = " (merge)" if len(commit.parents) > 1 else ""
        table.add_row(
            commit_id[:12], _when(commit.time), commit.author, commit.message + merge, str(len(commit.tables))
        )
    console.print(table)


@main.command()
@click.argument("a")
@click.argument("b")
@click.option("--rows", is_flag=True, help="Also print the changed rows of each table.")
@repo_option
@catalog_errors
def diff(a: str, b: str, rows: bool, repo: str) -> None:
    """Rows added, removed and changed per table, going from A to B."""
    result = open_repo(repo).diff(a, b)
    summary = Table("table", "added", "removed", "changed", "schema changed", title=f"{a} → {b}")
    for name, change in result.items():
        summary.add_row(
            name,
            *(str(change.counts[k]) for k in ("added", "removed", "changed")),
            "yes" if change.schema_changed else "",
        )
    console.print(summary)
    if rows:
        for name, change in result.items():
            for kind in ("added", "removed", "changed"):
                part = getattr(change, kind)
                if part.num_rows:
                    console.print(f"[bold]{name}[/] {kind}:")
                    for row in part.to_pylist():
                        console.print(row)


def conflict_table(conflicts: list) -> Table:
    table = Table("table", "key", "kind", "base", "ours", "theirs", title=f"{len(conflicts)} conflict(s)")
    for c in conflicts:
        table.add_row(
            str(c["table"]),
            str(c["key"]),
            str(c["kind"]),
            *(json.dumps(c[side], default=str) for side in ("base", "ours", "theirs")),
        )
    return table


@main.command()
@click.argument("source")
@click.option("--into", default="main", show_default=True, help="Target branch.")
@click.option(
    "--strategy",
    type=click.Choice(["fail", "ours", "theirs"]),
    default="fail",
    show_default=True,
    help="On conflicting rows: fail (write nothing), ours (keep the target's), theirs (take SOURCE's).",
)
@click.option("--author", default="", help="Author of the merge commit.")
@click.option("--message", "-m", default=None, help="Message of the merge commit.")
@repo_option
@catalog_errors
def merge(source: str, into: str, strategy: str, author: str, message: str | None, repo: str) -> None:
    """Three-way merge of SOURCE (branch, tag or commit) into a branch."""
    opened = open_repo(repo)
    before = opened.head(into)
    try:
        commit_id = opened.merge(source, into, strategy=strategy, author=author, message=message)
    except MergeConflict as err:
        console.print(conflict_table(err.conflicts))
        errors.print(f"[red]ERROR[/] {err.sqlstate}: {err}")
        sys.exit(1)
    word = "already up to date" if commit_id == before else f"now at {commit_id[:12]}"
    console.print(f"merged [bold]{source}[/] into [bold]{into}[/]: {word}")


@main.command()
@click.option(
    "--grace",
    type=float,
    default=3600.0,
    show_default=True,
    help="Keep unreferenced objects younger than this many seconds (in-flight commits).",
)
@click.option("--dry-run", is_flag=True, help="Report what would be removed; remove nothing.")
@repo_option
@catalog_errors
def gc(grace: float, dry_run: bool, repo: str) -> None:
    """Remove expired branches and unreferenced files."""
    report = open_repo(repo).gc(grace=grace, dry_run=dry_run)
    table = Table("what", "count", title="garbage collection" + (" (dry run)" if dry_run else ""))
    table.add_row("expired branches", str(len(report.branches)))
    for key in (
        "commits",
        "manifests",
        "data_files",
        "index_files",
        "referenced_objects",
        "temp_files",
        "kept_in_grace",
    ):
        table.add_row(key.replace("_", " "), str(getattr(report, key)))
    table.add_row("bytes", f"{report.bytes:,}")
    console.print(table)


@main.command()
@click.option("--branch", "-b", default="main", show_default=True)
@click.option("--table", "-t", "tables", multiple=True, help="Table to compact (repeatable; default all).")
@repo_option
@catalog_errors
def compact(branch: str, tables: tuple[str, ...], repo: str) -> None:
    """Rewrite small and mostly-deleted files; readers see the same rows."""
    result = open_repo(repo).compact(branch, list(tables) or None)
    table = Table("table", "files before", "files after", title=f"compaction of {branch}")
    for name, (before, after) in sorted(result.items()):
        table.add_row(name, str(before), str(after))
    console.print(table)


@main.command()
@click.option("--all", "show_all", is_flag=True, help="Also list jobs that finished without error.")
@repo_option
@catalog_errors
def status(show_all: bool, repo: str) -> None:
    """Background jobs (index builds, compaction) of every process serving the repository: queued,
    running, failed (with the error) and, with --all, done; each process publishes its own."""
    from catalog.jobs import DONE, published_jobs

    table = Table("process", "updated (UTC)", "job", "kind", "target", "state", "attempts", "error")
    counts: dict[str, int] = {}
    for process, record in sorted(published_jobs(open_repo(repo).storage).items()):
        for job in record["jobs"]:
            counts[job["state"]] = counts.get(job["state"], 0) + 1
            if show_all or job["state"] != DONE:
                table.add_row(
                    process,
                    _when(record["updated"]),
                    str(job["id"]),
                    job["kind"],
                    job["target"],
                    job["state"],
                    str(job["attempts"]),
                    job["error"] or "",
                )
    console.print(table)
    console.print(", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "no jobs recorded")


from .eval.cli import eval_group  # noqa: E402 - sub-packages attach their command groups here
from .server.cli import serve, user  # noqa: E402

main.add_command(eval_group)
main.add_command(serve)
main.add_command(user)

if __name__ == "__main__":
    main()
