"""EXPLAIN: the plan DataFusion chose, plus which executor agentlake routes the query to and why."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from ..errors import NotSupportedError
from ..results import Result
from .fastpath import point_lookup
from .vectors import match_topk

if TYPE_CHECKING:
    from .session import Session


def explain_statement(session: "Session", inner: exp.Expression, analyze: bool = False) -> Result:
    if not isinstance(inner, (exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Values)):
        raise NotSupportedError("EXPLAIN is supported for queries")
    lines: list[str] = []
    if analyze:
        session.runner.run_query(inner)
        lines.append(f"agentlake route: {session.runner.last_route}")
    elif point_lookup(session, inner) is not None:
        lines.append("agentlake route: primary-key lookup (no planning)")
    else:
        search = match_topk(inner, session.snapshot)
        if search is not None:
            lines.append(f"agentlake route: vector top-k on {search.table}.{search.column} "
                         f"({search.metric}, k={search.k}{', filtered' if search.where is not None else ''})")
        else:
            lines.append(f"agentlake route: {session.runner.route_for(inner)}")
    sql = session.datafusion_sql(inner)
    plan = session.run_datafusion(f"EXPLAIN {'ANALYZE ' if analyze else ''}{sql}")
    for plan_type, text in zip(plan.column(0).to_pylist(), plan.column(1).to_pylist()):
        lines.append(f"{plan_type}:")
        lines.extend("  " + line for line in str(text).splitlines())
    table = pa.table({"QUERY PLAN": pa.array(lines, pa.string())})
    return Result(table, table.num_rows, "EXPLAIN")
