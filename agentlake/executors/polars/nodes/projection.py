"""Projection and Filter: row-wise expressions over a frame."""

from __future__ import annotations

from typing import Any

import polars as pl

from ...dask.nodes.scan import conjuncts
from ..expressions import compile_column
from ..registry import Compiler, Scope, field_names, handles, placeholder


def project(
    compiler: Compiler, frame: pl.LazyFrame, exprs: list, names: list[str], scope: Scope, keep_input: bool = False
) -> pl.LazyFrame:
    """A frame of ``exprs`` named ``names`` (after the input's own columns when ``keep_input``).

    ``with_columns`` evaluates every expression on the input rows, so a constant has one
    value per row (``select`` would give a constant-only projection a single row).
    """
    if not names and not keep_input:  # ``SELECT FROM t``: the rows only
        return placeholder(frame)
    compiled = [compile_column(e, scope).alias(n) for e, n in zip(exprs, names)]
    inputs = frame.collect_schema().names()
    frame = compiler.attach(frame, scope).with_columns(compiled)
    return frame.select([*(c for c in inputs if c not in names), *names] if keep_input else names)


def filtered(compiler: Compiler, frame: pl.LazyFrame, predicates: list, scope: Scope) -> pl.LazyFrame:
    """Rows of ``frame`` where every predicate is true (NULL counts as false)."""
    condition = pl.all_horizontal([compile_column(p, scope) for p in predicates])
    inputs = frame.collect_schema().names()
    return compiler.attach(frame, scope).filter(condition).select(inputs)


@handles("Projection")
def projection(compiler: Compiler, plan, variant: Any) -> pl.LazyFrame:
    child = plan.inputs()[0]
    return project(
        compiler, compiler.compile(child), list(variant.projections()), field_names(plan), compiler.scope(child)
    )


@handles("Filter")
def filter_node(compiler: Compiler, plan, variant: Any) -> pl.LazyFrame:
    child = plan.inputs()[0]
    return filtered(compiler, compiler.compile(child), conjuncts(variant.predicate()), compiler.scope(child))
