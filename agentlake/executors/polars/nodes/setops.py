"""Union, Distinct, Values and EmptyRelation."""

from __future__ import annotations

from typing import Any

import polars as pl

from ..expressions import compile_column
from ..registry import PLACEHOLDER, Compiler, field_names, handles
from ..runtime import declined
from ..types import empty_frame, polars_type


@handles("Union")
def union(compiler: Compiler, plan, variant: Any) -> pl.LazyFrame:
    """UNION ALL (DISTINCT is a Distinct above it); each input's columns named as the output's."""
    names = field_names(plan)
    parts = []
    for child in plan.inputs():
        frame = compiler.compile(child)
        parts.append(frame.select([pl.col(c).alias(n) for c, n in zip(frame.collect_schema().names(), names)]))
    return pl.concat(parts, how="vertical_relaxed")


@handles("Distinct")
def distinct(compiler: Compiler, plan, variant: Any) -> pl.LazyFrame:
    return compiler.compile(plan.inputs()[0]).unique()


@handles("Values")
def values(compiler: Compiler, plan, variant: Any) -> pl.LazyFrame:
    """Rows of expressions over no input, each row one single-row frame, typed as DataFusion
    types the columns (so a NULL in one row does not decide a column's type)."""
    names = field_names(plan)
    types = [polars_type(f.type) for f in compiler.arrow_schema(plan)]
    scope = compiler.scope()
    one_row = pl.LazyFrame({PLACEHOLDER: [0]})
    rows = [
        one_row.select([compile_column(e, scope).cast(t).alias(n) for e, n, t in zip(row, names, types)])
        for row in variant.values()
    ]
    return pl.concat(rows, how="vertical_relaxed")


@handles("EmptyRelation")
def empty_relation(compiler: Compiler, plan, variant: Any) -> pl.LazyFrame:
    if variant.produce_one_row():
        if field_names(plan):
            raise declined("a one-row EmptyRelation with columns")
        return pl.LazyFrame({PLACEHOLDER: [0]})
    schema = compiler.arrow_schema(plan)
    return empty_frame(schema) if schema.names else pl.LazyFrame(schema={PLACEHOLDER: pl.Int32})
