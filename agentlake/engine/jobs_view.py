"""``agentlake.jobs``: the repository's post-commit work (index builds, compaction) as a relation,
so a client sees what is queued, running, done or failed, with the error, in SQL.

The rows are this process's queue (a server runs one per repository); the relation is registered
in the session's DataFusion context each time a query names it, so it is never stale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from catalog import Repository

if TYPE_CHECKING:
    from .session import Session

SCHEMA_NAME, TABLE_NAME = "agentlake", "jobs"
_TIME = pa.timestamp("us", tz="UTC")
JOBS_SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("kind", pa.string()),
        ("target", pa.string()),
        ("state", pa.string()),
        ("attempts", pa.int32()),
        ("error", pa.string()),
        ("queued_at", _TIME),
        ("started_at", _TIME),
        ("finished_at", _TIME),
    ]
)


def jobs_table(repo: Repository) -> pa.Table:
    """Every job the repository's queue knows, oldest first."""

    def micros(ts: float | None) -> int | None:
        return None if ts is None else int(ts * 1_000_000)

    rows = [
        {
            "id": j.id,
            "kind": j.kind,
            "target": j.target,
            "state": j.state,
            "attempts": j.attempts,
            "error": j.error,
            "queued_at": micros(j.queued_at),
            "started_at": micros(j.started_at),
            "finished_at": micros(j.finished_at),
        }
        for j in repo.jobs.jobs()
    ]
    return pa.Table.from_pylist(rows, schema=JOBS_SCHEMA)


def names_jobs(stmt: exp.Expression) -> bool:
    return any(t.name.lower() == TABLE_NAME and t.db.lower() == SCHEMA_NAME for t in stmt.find_all(exp.Table))


def register_jobs(session: "Session", stmt: exp.Expression) -> None:
    """Put the current jobs under ``agentlake.jobs`` in the session's context when ``stmt`` reads them."""
    if not names_jobs(stmt):
        return
    from datafusion.catalog import Schema

    ctx = session.runner.sync()
    catalog = ctx.catalog()
    if SCHEMA_NAME not in catalog.schema_names():
        catalog.register_schema(SCHEMA_NAME, Schema.memory_schema())
    name = f"{SCHEMA_NAME}.{TABLE_NAME}"
    if ctx.table_exist(name):
        ctx.deregister_table(name)
    table = jobs_table(session.repo)
    ctx.register_record_batches(name, [table.to_batches() or [pa.RecordBatch.from_pylist([], schema=JOBS_SCHEMA)]])
