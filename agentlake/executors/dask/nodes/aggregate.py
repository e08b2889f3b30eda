"""Aggregate: GROUP BY (or none) with sum, count, avg, min, max and their DISTINCT forms,
and pgvector's avg and sum of vectors.

Keys and arguments are evaluated per partition into plain columns, then reduced by
Dask's groupby (a tree reduction that works on pandas and cuDF). Nulls form their
own group, as in SQL; ``sum`` of only nulls is NULL, not 0; an aggregate without
GROUP BY returns one row even on empty input.
"""

from __future__ import annotations

from typing import Any

import dask.dataframe as dd
import pyarrow as pa

from ....errors import NotSupportedError
from ..partitions import truncate_decimals
from ..registry import Compiler, field_names, handles
from ..vectors import VECTOR_AGGREGATES, element_columns, joined_vectors, split_vectors, vector_dimension
from .projection import project_frame

_FUNCS = {"sum": "sum", "count": "count", "avg": "mean", "mean": "mean", "min": "min", "max": "max"}
GLOBAL_KEY = "__global"


def _unwrap(expr):
    while expr.variant_name() == "Alias":
        expr = expr.rex_call_operands()[0]
    return expr


def _describe(expr) -> tuple[str, bool, list]:
    expr = _unwrap(expr)
    if expr.variant_name() != "AggregateFunction":
        raise NotSupportedError(f"aggregate expression {expr.canonical_name()} is not supported by the dask executor")
    if " FILTER (WHERE " in expr.schema_name():
        raise NotSupportedError("aggregate FILTER (WHERE ...) is not supported by the dask executor")
    agg = expr.to_variant()
    name = agg.aggregate_type().lower()
    if name not in _FUNCS and name not in VECTOR_AGGREGATES:
        raise NotSupportedError(f"aggregate function {name}() is not supported by the dask executor")
    return name, agg.is_distinct(), list(agg.args())


def _partials(name: str) -> list[str]:
    """Dask reductions an aggregate is finished from (sums need counts: NULL when all inputs are NULL)."""
    return ["sum", "count"] if name in ("sum", "avg", "mean") else [_FUNCS[name]]


def _flat(columns) -> list[str]:
    """``("a0", "sum")`` -> ``"a0:sum"``; key columns keep their names."""
    return [c if isinstance(c, str) else (c[0] if not c[1] else f"{c[0]}:{c[1]}") for c in columns]


def _vector_partials(arg: str, dim: int) -> dict[str, list[str]]:
    """A vector aggregate's reductions: each element's sum, and how many rows had a vector."""
    columns = element_columns(arg, dim)
    return {columns[0]: ["sum", "count"], **{c: ["sum"] for c in columns[1:]}}


def _finish(keys: list[str], plan_aggs: list[tuple[str, bool]], out_names: list[str], dims: dict[str, int]):
    """Flattens Dask's grouped result into the plan's columns."""

    def finish(part):
        out = part[keys].copy() if keys else part[[]].copy()
        for j, (name, _) in enumerate(plan_aggs):
            arg = f"a{j}"
            if name in VECTOR_AGGREGATES:
                out[f"r{j}"] = joined_vectors(part, arg, dims[arg], VECTOR_AGGREGATES[name])
            elif name == "count":
                out[f"r{j}"] = part[f"{arg}:count"].astype("int64")
            elif name == "sum":
                out[f"r{j}"] = part[f"{arg}:sum"].where(part[f"{arg}:count"] > 0)
            elif name in ("avg", "mean"):
                out[f"r{j}"] = part[f"{arg}:sum"] / part[f"{arg}:count"].where(part[f"{arg}:count"] > 0)
            else:
                out[f"r{j}"] = part[f"{arg}:{_FUNCS[name]}"]
        out.columns = out_names
        return out

    return finish


def _one_row(part, counts: list[str]):
    """An aggregate without GROUP BY yields one row even when no input row survives."""
    if len(part):
        return part
    row = part.head(0).reindex([0])
    for name in counts:
        row[name] = 0
    return row


def _vector_dimensions(compiler: Compiler, child, aggs: list[tuple[str, bool, list]]) -> dict[str, int]:
    """Argument column -> dimension, for each vector aggregate (its element columns are planned up front)."""
    dims = {}
    for j, (name, distinct, args) in enumerate(aggs):
        if name not in VECTOR_AGGREGATES:
            continue
        dim = vector_dimension(compiler, child, args[0])
        if distinct or dim is None:
            raise NotSupportedError(
                f"{name}() of {'DISTINCT vectors' if distinct else 'a computed vector of unknown dimension'}"
                " is not supported by the dask executor"
            )
        dims[f"a{j}"] = dim
    return dims


@handles("Aggregate")
def aggregate(compiler: Compiler, plan, variant: Any) -> dd.DataFrame:
    child = plan.inputs()[0]
    frame = compiler.compile(child)
    scope = compiler.scope(child)
    groups = list(variant.group_by_exprs())
    aggs = [_describe(e) for e in variant.aggregate_exprs()]
    out_names = field_names(plan)
    for _, _, args in aggs:
        if len(args) != 1:
            raise NotSupportedError("aggregates without exactly one argument are not supported by the dask executor")
    keys = [f"k{i}" for i in range(len(groups))] or [GLOBAL_KEY]
    arg_exprs = [args[0] for _, _, args in aggs]
    names = [f"k{i}" for i in range(len(groups))] + [f"a{j}" for j in range(len(aggs))]
    pre = project_frame(compiler, frame, groups + arg_exprs, names, scope)
    if not groups:
        pre = pre.assign(**{GLOBAL_KEY: 0})
    dims = _vector_dimensions(compiler, child, aggs)
    if dims:
        pre = pre.map_partitions(split_vectors, dims, meta=split_vectors(pre._meta, dims))
    if not aggs:
        if not groups:
            raise NotSupportedError("an Aggregate without groups or aggregates is not supported by the dask executor")
        return pre[keys].drop_duplicates(split_out=max(1, pre.npartitions // 4))

    spec: dict[str, list[str]] = {}
    for j, (name, distinct, _) in enumerate(aggs):
        if not distinct:
            spec.update(_vector_partials(f"a{j}", dims[f"a{j}"]) if f"a{j}" in dims else {f"a{j}": _partials(name)})
    result = None
    if spec:
        grouped = pre[keys + list(spec)].groupby(keys, dropna=False, sort=False).agg(spec).reset_index()
        grouped.columns = _flat(grouped.columns)
        result = grouped
    for j, (name, _, _) in [(j, a) for j, a in enumerate(aggs) if a[1]]:
        col = f"a{j}"
        uniq = pre[keys + [col]].drop_duplicates()
        part = uniq.groupby(keys, dropna=False, sort=False).agg({col: _partials(name)}).reset_index()
        part.columns = _flat(part.columns)
        result = part if result is None else result.merge(part, on=keys, how="outer")
    finish = _finish([] if not groups else keys, [(n, d) for n, d, _ in aggs], out_names, dims)
    final = result.map_partitions(finish, meta=finish(result._meta))
    averages = {out_names[len(groups) + j] for j, (n, _, _) in enumerate(aggs) if n in ("avg", "mean")}
    scales = {}
    for field_index, field in enumerate(compiler.arrow_schema(plan)):
        if out_names[field_index] in averages and pa.types.is_decimal(field.type):
            scales[out_names[field_index]] = field.type.scale
    if scales:
        final = final.map_partitions(truncate_decimals, scales, meta=final._meta)
    if not groups:
        counts = [out_names[j] for j, (n, _, _) in enumerate(aggs) if n == "count"]
        final = final.repartition(npartitions=1).map_partitions(_one_row, counts, meta=final._meta)
    return final
