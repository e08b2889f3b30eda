"""A window function called without OVER (``SELECT row_number() FROM t``) is PostgreSQL's 42809,
``window function row_number requires an OVER clause``; DataFusion, which has no such function
outside a window, said ``function row_number does not exist`` (42883)."""

from __future__ import annotations

from sqlglot import exp

from ...errors import error_for

_WINDOW_ONLY = (
    exp.RowNumber,
    exp.Rank,
    exp.DenseRank,
    exp.PercentRank,
    exp.CumeDist,
    exp.Ntile,
    exp.Lag,
    exp.Lead,
    exp.FirstValue,
    exp.LastValue,
    exp.NthValue,
)
AS_AGGREGATE = "as_aggregate"
"""Marks a ``first_value`` a rewrite made as DataFusion's aggregate of that name (a group's value)."""
_BETWEEN_CALL_AND_OVER = (exp.IgnoreNulls, exp.RespectNulls)  # lag(x) IGNORE NULLS OVER (...)


def window_calls(tree: exp.Expression) -> exp.Expression:
    for call in tree.find_all(*_WINDOW_ONLY):
        holder = call.parent
        while isinstance(holder, _BETWEEN_CALL_AND_OVER):
            holder = holder.parent
        if not isinstance(holder, exp.Window) and not call.meta.get(AS_AGGREGATE):
            name = call.sql_name().lower()
            raise error_for("42809", f"window function {name} requires an OVER clause")
    return tree
