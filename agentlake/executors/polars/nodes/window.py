"""Window: ROW_NUMBER, RANK, DENSE_RANK and the aggregates over window partitions.

Each window expression sorts the frame by its PARTITION BY and ORDER BY keys (the
rows of a Window node have no order of their own) and computes its column with
``.over`` the partition keys: positions for the ranks, the whole partition's
aggregate without ORDER BY, a running one with it, to the current row for a ROWS
frame, to the last peer row for the default RANGE frame. Bounded frames are declined.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ..expressions import compile_column
from ..registry import Compiler, field_names, handles
from ..runtime import declined
from .aggregate import AGGREGATES, reduce, truncated_averages

_RANKS = ("row_number", "rank", "dense_rank")


def _frame_kind(variant, expr) -> str:
    """'whole', 'rows' (to the current row) or 'range' (to the last peer)."""
    frame = variant.get_frame(expr)
    if frame is None:
        return "whole"
    lower, upper = frame.get_lower_bound(), frame.get_upper_bound()
    if not lower.is_unbounded():
        raise declined("a window frame with a bounded start")
    if upper.is_unbounded():
        return "whole"
    if upper.is_current_row():
        return "rows" if str(frame.get_frame_units()).upper() == "ROWS" else "range"
    raise declined("a window frame ending after the current row")


def _over(value: pl.Expr, keys: list[str]) -> pl.Expr:
    return value.over(keys) if keys else value


def _running(func: str, column: pl.Expr, keys: list[str]) -> pl.Expr:
    """The aggregate of the rows so far, in the frame's (sorted) order."""
    seen = _over(column.is_not_null().cast(pl.Int64).cum_sum(), keys)
    if func == "count":
        return seen
    if func in ("sum", "avg", "mean"):
        total = _over(column.fill_null(0).cum_sum(), keys)
        return pl.when(seen > 0).then(total / seen if func != "sum" else total)
    if func in ("min", "max"):
        return _over((column.cum_min() if func == "min" else column.cum_max()).forward_fill(), keys)
    raise declined(f"a running {func}() over a window")


def _compute(
    frame: pl.LazyFrame, func: str, name: str, keys: list[str], orders: list[str], arg: str, kind: str
) -> pl.LazyFrame:
    row_number = _over(pl.int_range(1, pl.len() + 1), keys)
    if func == "row_number":
        return frame.with_columns(row_number.alias(name))
    if func in ("rank", "dense_rank"):
        if not orders:
            return frame.with_columns(pl.lit(1, dtype=pl.UInt64).alias(name))
        if func == "rank":
            return frame.with_columns(row_number.alias(name)).with_columns(pl.col(name).min().over(keys + orders))
        starts = pl.any_horizontal([pl.col(o).ne_missing(_over(pl.col(o).shift(1), keys)) for o in orders])
        return frame.with_columns(_over((starts | (row_number == 1)).cast(pl.UInt64).cum_sum(), keys).alias(name))
    column = pl.col(arg)
    if kind == "whole" or not orders:
        return frame.with_columns(_over(reduce(func, column), keys).alias(name))
    frame = frame.with_columns(_running(func, column, keys).alias(name))
    return frame.with_columns(pl.col(name).last().over(keys + orders)) if kind == "range" else frame


@handles("Window", "WindowExpr")
def window(compiler: Compiler, plan, variant: Any) -> pl.LazyFrame:
    child = plan.inputs()[0]
    scope = compiler.scope(child)
    input_names = field_names(child)
    out_names = field_names(plan)[len(input_names) :]
    specs, computed = [], []
    for i, w in enumerate(variant.get_window_expr()):
        func = variant.window_func_name(w).lower()
        if func not in _RANKS and func not in AGGREGATES:
            raise declined(f"window function {func}()")
        parts, sorts, args = (
            list(variant.get_partition_exprs(w)),
            list(variant.get_sort_exprs(w)),
            list(variant.get_args(w)),
        )
        if len(args) > 1 or " DISTINCT " in w.canonical_name().upper():
            raise declined(f"window function {func}() of {len(args)} arguments or DISTINCT")
        keys, orders = [f"__w{i}p{j}" for j in range(len(parts))], [f"__w{i}o{j}" for j in range(len(sorts))]
        arg = f"__w{i}a"  # a column even for count(*), so it counts rows
        computed += [
            compile_column(e, scope).alias(n) for e, n in zip(parts + [s.expr() for s in sorts], keys + orders)
        ]
        computed.append((compile_column(args[0], scope) if args else pl.lit(1)).alias(arg))
        specs.append((func, keys, orders, sorts, arg, _frame_kind(variant, w) if func in AGGREGATES else "rows"))
    frame = compiler.attach(compiler.compile(child), scope).with_columns(computed)
    for name, (func, keys, orders, sorts, arg, kind) in zip(out_names, specs):
        if keys or orders:
            frame = frame.sort(
                keys + orders,
                descending=[False] * len(keys) + [not s.ascending() for s in sorts],
                nulls_last=[True] * len(keys) + [not s.nulls_first() for s in sorts],
                maintain_order=True,
            )
        frame = _compute(frame, func, name, keys, orders, arg, kind)
    cut = truncated_averages(
        compiler,
        plan,
        {
            len(input_names) + i: name
            for i, (name, spec) in enumerate(zip(out_names, specs))
            if spec[0] in ("avg", "mean")
        },
    )
    return (frame.with_columns(cut) if cut else frame).select(input_names + out_names)
