"""Aggregate: GROUP BY (or none) with count, sum, avg, min, max, stddev, variance,
bool_and and bool_or, DISTINCT or not.

Keys and arguments are first evaluated into columns (so a constant argument has a
value per row), then reduced. Polars groups NULL keys together, as SQL does. What
differs is empty input: Polars' sum of nothing is 0 and its ``all`` of nothing true,
where SQL's is NULL, so every aggregate but count is NULL where no non-NULL input
reached it. An aggregate without GROUP BY gives one row even on no input (``select``
of aggregates always does). The average of a decimal is cut to the scale DataFusion
gives it, as later expressions see that value.
"""

from __future__ import annotations

from typing import Any, Callable

import polars as pl
import pyarrow as pa

from ..expressions import compile_column
from ..registry import Compiler, handles
from ..runtime import declined
from ..types import truncate

_REDUCE: dict[str, Callable[[pl.Expr], pl.Expr]] = {
    "sum": pl.Expr.sum,
    "avg": pl.Expr.mean,
    "mean": pl.Expr.mean,
    "min": pl.Expr.min,
    "max": pl.Expr.max,
    "stddev": lambda x: x.std(ddof=1),
    "stddev_samp": lambda x: x.std(ddof=1),
    "stddev_pop": lambda x: x.std(ddof=0),
    "var": lambda x: x.var(ddof=1),
    "var_samp": lambda x: x.var(ddof=1),
    "variance": lambda x: x.var(ddof=1),
    "var_pop": lambda x: x.var(ddof=0),
    "bool_and": pl.Expr.all,
    "bool_or": pl.Expr.any,
}
AGGREGATES = frozenset(_REDUCE) | {"count"}


def reduce(name: str, column: pl.Expr, distinct: bool = False) -> pl.Expr:
    """SQL aggregate ``name`` of a column (in a group_by, a select, or ``.over`` a window)."""
    value = column.drop_nulls()
    if distinct:
        value = value.unique()
    if name == "count":
        return value.count()
    return pl.when(value.count() > 0).then(_REDUCE[name](value))


def unwrap(expr):
    while expr.variant_name() == "Alias":
        expr = expr.rex_call_operands()[0]
    return expr


def describe(expr) -> tuple[str, bool, list]:
    """(function name, DISTINCT, arguments) of an aggregate this compiler runs."""
    expr = unwrap(expr)
    if expr.variant_name() != "AggregateFunction":
        raise declined(f"aggregate expression {expr.canonical_name()}")
    if " FILTER (WHERE " in expr.schema_name() or " ORDER BY [" in expr.schema_name():
        raise declined("aggregate FILTER (WHERE ...) or ORDER BY")
    agg = expr.to_variant()
    name, args = agg.aggregate_type().lower(), list(agg.args())
    if name not in AGGREGATES or len(args) > 1 or (not args and name != "count"):
        raise declined(f"aggregate function {name}() of {len(args)} arguments")
    return name, agg.is_distinct(), args


def truncated_averages(compiler: Compiler, plan, averages: dict[int, str]) -> list[pl.Expr]:
    """Averages (output position -> column) that DataFusion types as decimals, cut to their scale."""
    schema = compiler.arrow_schema(plan)
    return [
        truncate(pl.col(c), schema.field(i).type.scale).alias(c)
        for i, c in averages.items()
        if pa.types.is_decimal(schema.field(i).type)
    ]


@handles("Aggregate")
def aggregate(compiler: Compiler, plan, variant: Any) -> pl.LazyFrame:
    child = plan.inputs()[0]
    scope = compiler.scope(child)
    groups = list(variant.group_by_exprs())
    aggs = [describe(e) for e in variant.aggregate_exprs()]
    keys = [f"__k{i}" for i in range(len(groups))]
    inputs = [compile_column(g, scope).alias(k) for g, k in zip(groups, keys)]
    inputs += [compile_column(args[0], scope).alias(f"__arg{j}") for j, (_, _, args) in enumerate(aggs) if args]
    results = [
        pl.len().alias(f"__a{j}") if not args else reduce(name, pl.col(f"__arg{j}"), distinct).alias(f"__a{j}")
        for j, (name, distinct, args) in enumerate(aggs)
    ]
    frame = compiler.attach(compiler.compile(child), scope).with_columns(inputs)
    if not results:
        if not keys:
            raise declined("an Aggregate without groups or aggregates")
        return frame.select(keys).unique()
    frame = frame.group_by(keys).agg(results) if keys else frame.select(results)
    cut = truncated_averages(
        compiler, plan, {len(keys) + j: f"__a{j}" for j, (name, _, _) in enumerate(aggs) if name in ("avg", "mean")}
    )
    return (frame.with_columns(cut) if cut else frame).select(keys + [f"__a{j}" for j in range(len(aggs))])
