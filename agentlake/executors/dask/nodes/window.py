"""Window: ROW_NUMBER, RANK, DENSE_RANK and sum/count/avg/min/max over partitions.

Rows are shuffled so each window partition lives in one Dask partition (or all go
to one when there is no PARTITION BY), then sorted there. Aggregates cover the whole
window partition without ORDER BY, and run cumulatively with it: to the current row
for a ROWS frame, to the last peer row for the default RANGE frame.
"""

from __future__ import annotations

from typing import Any

import dask.dataframe as dd

from ....errors import NotSupportedError
from ..registry import Compiler, field_names, handles
from .projection import project_frame

_RANKS = ("row_number", "rank", "dense_rank")
_AGGS = {"sum": "sum", "count": "count", "avg": "mean", "min": "min", "max": "max"}
_CUMULATIVE = {"sum": "cumsum", "count": "cumcount", "min": "cummin", "max": "cummax"}


def _frame_kind(variant, expr) -> str:
    """'whole', 'rows' (to current row) or 'range' (to the last peer); others are unsupported."""
    frame = variant.get_frame(expr)
    if frame is None:
        return "whole"
    lower, upper = frame.get_lower_bound(), frame.get_upper_bound()
    if not lower.is_unbounded():
        raise NotSupportedError("window frames with a bounded start are not supported by the dask executor")
    if upper.is_unbounded():
        return "whole"
    if upper.is_current_row():
        return "rows" if str(frame.get_frame_units()).upper() == "ROWS" else "range"
    raise NotSupportedError("window frames ending after the current row are not supported by the dask executor")


def _changed(part, columns: list[str]):
    """True where a row starts a new run of ``columns`` values (NULL equals NULL here, as in SQL peers)."""
    current, previous = part[columns], part[columns].shift()
    differs = current.ne(previous) & ~(current.isna() & previous.isna())
    changed = differs.any(axis=1)
    changed.iloc[:1] = True
    return changed


def _window_values(part, spec):
    func, arg, keys, orders, ascending, kind = spec
    grouping = part.groupby(keys, sort=False, dropna=False) if keys else None

    def by_group(column):
        return column.groupby([part[k] for k in keys], sort=False, dropna=False) if keys else None

    position = grouping.cumcount() + 1 if keys else part[[]].reset_index(drop=True).index.to_series().values + 1
    if orders:
        peer_change = _changed(part, keys + orders)
    if func == "row_number":
        return position
    if func in ("rank", "dense_rank"):
        if not orders:
            return 1
        if func == "rank":
            starts = part[[]].copy()
            starts["p"] = position
            return starts["p"].where(peer_change).ffill().astype("int64")
        peers = peer_change.astype("int64")
        return by_group(peers).cumsum() if keys else peers.cumsum()
    column = part[arg]
    if kind == "whole" or not orders:
        how = _AGGS[func]
        return by_group(column).transform(how) if keys else getattr(column, how)()
    seen = column.notna().astype("int64")
    seen = by_group(seen).cumsum() if keys else seen.cumsum()
    if func == "count":
        running = seen
    elif func in ("sum", "avg"):
        filled = column.fillna(0)
        total = by_group(filled).cumsum() if keys else filled.cumsum()
        running = (total / seen if func == "avg" else total).where(seen > 0)
    else:
        op = _CUMULATIVE[func]
        running = getattr(by_group(column), op)() if keys else getattr(column, op)()
        running = by_group(running).ffill() if keys else running.ffill()
    if kind == "rows":
        return running
    peer_id = peer_change.astype("int64").cumsum()
    return running.groupby(peer_id, sort=False).transform("last")


@handles("Window", "WindowExpr")
def window(compiler: Compiler, plan, variant: Any) -> dd.DataFrame:
    child = plan.inputs()[0]
    frame = compiler.compile(child)
    scope = compiler.scope(child)
    input_names = field_names(child)
    out_names = field_names(plan)[len(input_names) :]
    specs, exprs, names = [], [], []
    partition_keys: list | None = None
    for i, w in enumerate(variant.get_window_expr()):
        func = variant.window_func_name(w).lower()
        if func not in _RANKS and func not in _AGGS:
            raise NotSupportedError(f"window function {func}() is not supported by the dask executor")
        parts = list(variant.get_partition_exprs(w))
        sorts = list(variant.get_sort_exprs(w))
        signature = [p.canonical_name() for p in parts]
        if partition_keys is None:
            partition_keys = signature
        elif partition_keys != signature:
            raise NotSupportedError("window expressions with different PARTITION BY in one node are not supported")
        args = list(variant.get_args(w))
        keys = [f"__w{i}p{j}" for j in range(len(parts))]
        orders = [f"__w{i}o{j}" for j in range(len(sorts))]
        arg = f"__w{i}a" if args else None
        exprs += parts + [s.expr() for s in sorts] + args[:1]
        names += keys + orders + ([arg] if arg else [])
        specs.append(
            (
                func,
                arg,
                keys,
                orders,
                [s.ascending() for s in sorts],
                [s.nulls_first() for s in sorts],
                _frame_kind(variant, w) if func in _AGGS else "rows",
            )
        )
    work = project_frame(compiler, frame, exprs, names, scope, keep_input=True) if exprs else frame
    first_keys = specs[0][2]
    work = work.shuffle(on=first_keys) if first_keys else work.repartition(npartitions=1)

    def compute(part):
        part = part.reset_index(drop=True)
        out = part[input_names].copy()
        for name, (func, arg, keys, orders, ascending, nulls_first, kind) in zip(out_names, specs):
            order_cols = keys + orders
            directions = [True] * len(keys) + list(ascending)
            ordered = (
                part.sort_values(
                    order_cols, ascending=directions, kind="stable", na_position="first" if any(nulls_first) else "last"
                )
                if order_cols
                else part
            )
            values = _window_values(ordered.reset_index(drop=True), (func, arg, keys, orders, ascending, kind))
            restored = part[[]].copy()
            aligned = ordered[[]].copy()
            aligned["v"] = values if not hasattr(values, "index") else values.values
            restored["v"] = aligned["v"]
            out[name] = restored["v"]
        return out

    return work.map_partitions(compute)
