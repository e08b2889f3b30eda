"""Sort (with or without fetch) and Limit.

Polars sorts by expressions, each with its own direction and NULL placement; a sort
with a fetch is a top-k to Polars' optimizer.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ..expressions import compile_column
from ..registry import Compiler, handles


@handles("Sort")
def sort(compiler: Compiler, plan, variant: Any) -> pl.LazyFrame:
    child = plan.inputs()[0]
    scope = compiler.scope(child)
    sort_exprs = list(variant.sort_exprs())
    by = [compile_column(s.expr(), scope) for s in sort_exprs]
    frame = compiler.compile(child)
    columns = frame.collect_schema().names()
    frame = (
        compiler.attach(frame, scope)
        .sort(
            by,
            descending=[not s.ascending() for s in sort_exprs],
            nulls_last=[not s.nulls_first() for s in sort_exprs],
            maintain_order=True,
        )
        .select(columns)
    )
    fetch = variant.get_fetch_val()
    return frame.head(int(fetch)) if fetch is not None else frame


@handles("Limit")
def limit(compiler: Compiler, plan, variant: Any) -> pl.LazyFrame:
    frame = compiler.compile(plan.inputs()[0])
    skip, fetch = variant.skip(), variant.fetch()
    offset = int(skip.python_value().as_py()) if skip is not None else 0
    return frame.slice(offset, int(fetch.python_value().as_py()) if fetch is not None else None)
