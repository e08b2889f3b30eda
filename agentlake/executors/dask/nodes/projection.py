"""Projection and Filter: row-wise expressions evaluated per partition."""

from __future__ import annotations

from typing import Any

import dask.dataframe as dd

from ..expressions import ExprScope, _truth, series_like
from ..registry import Compiler, field_names, handles


def project_frame(
    compiler: Compiler, frame: dd.DataFrame, exprs: list, names: list[str], scope: ExprScope, keep_input: bool = False
) -> dd.DataFrame:
    """A frame of ``exprs`` evaluated on every partition, named ``names`` (after the input's
    own columns when ``keep_input``)."""
    evaluators = compiler.compile_exprs(exprs, scope)

    def project(part, env):
        out = part.copy() if keep_input else part[[]].copy()
        for name, evaluate in zip(names, evaluators):
            out[name] = series_like(part, evaluate(part, env))
        return out

    return compiler.map(frame, project)


def filter_frame(compiler: Compiler, frame: dd.DataFrame, predicates: list, scope: ExprScope) -> dd.DataFrame:
    """Rows of ``frame`` where every predicate is true (NULL counts as false)."""
    evaluators = compiler.compile_exprs(predicates, scope)

    def keep(part, env):
        mask = None
        for evaluate in evaluators:
            hit = series_like(part, _truth(evaluate(part, env)))
            mask = hit if mask is None else mask & hit
        return part[mask]

    return compiler.map(frame, keep)


@handles("Projection")
def projection(compiler: Compiler, plan, variant: Any) -> dd.DataFrame:
    child = plan.inputs()[0]
    frame = compiler.compile(child)
    exprs = list(variant.projections())
    names = field_names(plan)
    scope = compiler.scope(child)
    if all(e.variant_name() == "Column" for e in exprs):
        picked = [scope.resolve(e.to_variant().qualified_name()) for e in exprs]
        if len(set(picked)) == len(picked):
            return frame[picked]
    return project_frame(compiler, frame, exprs, names, scope)


@handles("Filter")
def filter_node(compiler: Compiler, plan, variant: Any) -> dd.DataFrame:
    child = plan.inputs()[0]
    if type(child.to_variant()).__name__ == "TableScan":
        from .scan import scan

        return scan(compiler, child, [variant.predicate()])
    from .scan import conjuncts

    frame = compiler.compile(child)
    return filter_frame(compiler, frame, conjuncts(variant.predicate()), compiler.scope(child))
