"""EXPLAIN: which executor agentlake routes a query to and why, then the plan that runs it.

A vector top-k is not run by a DataFusion plan, so its EXPLAIN describes the search
(indexes, filter, and with ANALYZE the strategy each data file got, rows and time)
instead of printing a full-sort plan that never executes.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from ..errors import NotSupportedError
from ..results import Result
from ..vector.index_cache import vector_indexes
from ..vector.index_ddl import MIN_INDEXED_ROWS
from ..vector.topk_match import TopKQuery, match_topk
from . import small_counts
from .fastpath import point_lookup

if TYPE_CHECKING:
    from .session import Session

_DISTANCES = {"l2": "L2 distance", "cosine": "cosine distance", "ip": "negative inner product", "l1": "L1 distance"}


def explain_statement(session: "Session", inner: exp.Expression, analyze: bool = False) -> Result:
    if not isinstance(inner, (exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Values)):
        raise NotSupportedError("EXPLAIN is supported for queries")
    search = match_topk(inner, session.snapshot)
    if search is not None:
        search_lines = _topk_description(session, search)  # before running: the run may rewrite the tree
    lines: list[str] = []
    if analyze:
        started = time.perf_counter()
        rows = session.runner.run_query(inner).num_rows
        elapsed_ms = 1000 * (time.perf_counter() - started)
        lines.append(f"agentlake route: {session.runner.last_route}")
    elif point_lookup(session, inner) is not None:
        lines.append("agentlake route: primary-key lookup (no planning)")
    elif small_counts.small_count(session.runner, inner) is not None:
        lines.append(f"agentlake route: {small_counts.ROUTE}")
    elif search is not None:
        lines.append(
            f"agentlake route: vector top-k on {search.table}.{search.column} "
            f"({search.metric}, k={search.k}{', filtered' if search.where is not None else ''})"
        )
    else:
        lines.append(f"agentlake route: {session.runner.route_for(inner)}")
    if search is not None:
        lines += search_lines
        if analyze:
            lines += [f"  Rows: {rows}", f"  Execution Time: {elapsed_ms:.3f} ms"]
        else:
            lines.append(
                "  Strategy: chosen per data file as the query runs, from how many rows pass the filter "
                "(EXPLAIN ANALYZE shows it)"
            )
        return _plan_result(lines)
    sql = session.datafusion_sql(inner)
    plan = session.run_datafusion(f"EXPLAIN {'ANALYZE ' if analyze else ''}{sql}")
    for plan_type, text in zip(plan.column(0).to_pylist(), plan.column(1).to_pylist()):
        lines.append(f"{plan_type}:")
        lines.extend("  " + line for line in str(text).splitlines())
    return _plan_result(lines)


def _topk_description(session: "Session", search: TopKQuery) -> list[str]:
    """The search a top-k runs: its distance and k, its filter, and the indexes that can serve it."""
    manifest = session.snapshot.manifest(search.table)
    lines = [f"Vector Top-K on {search.table}.{search.column}: {_DISTANCES[search.metric]}, k={search.k}"]
    if search.where is not None:
        lines.append(f"  Filter: {search.where.sql(dialect='postgres')}")
    files = [entry for entry in manifest.files if entry.live_rows]
    indexed = sum(entry.rows >= MIN_INDEXED_ROWS for entry in files)
    serving = [
        (name, spec)
        for name, spec in vector_indexes(manifest).items()
        if spec["column"] == search.column and spec["metric"] == search.metric
    ]
    for name, spec in serving:
        options = ", ".join(f"{key}={value}" for key, value in (spec.get("params") or {}).items())
        lines.append(
            f"  Index: {name} ({spec['method']}{', ' + options if options else ''}) on {indexed} of "
            f"{len(files)} data files; smaller files are searched exactly"
        )
    if not serving:
        lines.append(
            f"  Index: none for {_DISTANCES[search.metric]} on {search.column}: every data file is searched exactly"
        )
    return lines


def _plan_result(lines: list[str]) -> Result:
    table = pa.table({"QUERY PLAN": pa.array(lines, pa.string())})
    return Result(table, table.num_rows, "EXPLAIN")
