"""Join: inner, left, right, full, semi and anti, on equi keys (or none), plus a filter.

Polars never matches NULL keys (``nulls_equal=False``), as SQL does not. A join with
a filter beyond its keys (or without keys) first pairs rows on the keys (keeping
every row of the side(s) the join keeps), marks the pairs the filter accepts, then
keeps per row of a kept side either its accepted pairs or, where none, the row once
(outer) or not (semi/anti, decided by whether any pair was accepted). A row index
names each row; it is only compared within one evaluation of the pairs, since a
frame evaluated twice (a parallel join's output, say) may number its rows differently.
``x NOT IN (subquery)`` (a null-aware anti join) also looks at whether the subquery
is empty or holds a NULL.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ..expressions import compile_column
from ..registry import Compiler, Scope, field_names, handles, select_fields
from ..runtime import declined
from .projection import filtered, project

_SEMI = {"LeftSemi": "semi", "LeftAnti": "anti", "RightSemi": "semi", "RightAnti": "anti"}
_OUTER = {"Inner": "inner", "Left": "left", "Right": "right", "Full": "full"}


def _joined(left: pl.LazyFrame, right: pl.LazyFrame, keys: tuple[list, list] | None, how: str) -> pl.LazyFrame:
    """``left`` joined to ``right`` on ``keys`` (left and right expressions); without keys every
    row pairs with every row (an outer form still keeps the rows of an empty side)."""
    if keys is None:
        if how == "inner":
            return left.join(right, how="cross")
        left, right = left.with_columns(pl.lit(1).alias("__l1")), right.with_columns(pl.lit(1).alias("__r1"))
        keys = ([pl.col("__l1")], [pl.col("__r1")])
    return left.join(right, left_on=keys[0], right_on=keys[1], how=how, coalesce=False, nulls_equal=False)


def _accepted(compiler: Compiler, pairs: pl.LazyFrame, condition, scope: Scope) -> pl.LazyFrame:
    """``pairs`` with ``__hit``: whether the join filter accepts the pair (false for a row without one)."""
    return project(compiler, pairs, [condition], ["__hit"], scope, keep_input=True).with_columns(
        pl.col("__hit").fill_null(False)
    )


def _unpaired(pairs: pl.LazyFrame, index: str, nulled: list[str]) -> pl.LazyFrame:
    """Each row (by ``index``) none of whose pairs was accepted, once, its partner's columns NULL."""
    return (
        pairs.filter(pl.col(index).is_not_null() & ~pl.col("__hit").any().over(index))
        .unique(subset=[index], keep="any")
        .with_columns([pl.when(pl.lit(False)).then(pl.col(c)).alias(c) for c in nulled])
    )


def _not_in(kept: pl.LazyFrame, probe_keys: list, build: pl.LazyFrame, build_keys: list) -> pl.LazyFrame:
    """SQL's ``x NOT IN (subquery)`` beyond the anti join: against an empty subquery every row
    passes, NULL included; once the subquery holds a NULL no row does; otherwise a NULL ``x``
    does not."""
    stats = build.select(
        pl.len().alias("__rows"), pl.any_horizontal([k.is_null() for k in build_keys]).any().alias("__nulls")
    )
    passes = (pl.col("__rows") == 0) | (~pl.col("__nulls") & pl.all_horizontal([k.is_not_null() for k in probe_keys]))
    columns = kept.collect_schema().names()
    return kept.join(stats, how="cross").filter(passes).select(columns)


@handles("Join")
def join(compiler: Compiler, plan, variant: Any) -> pl.LazyFrame:
    left_plan, right_plan = plan.inputs()
    kind = str(variant.join_type())
    left, right = compiler.compile(left_plan), compiler.compile(right_plan)
    on = list(variant.on())
    keys = None
    if on:
        left_scope, right_scope = compiler.scope(left_plan), compiler.scope(right_plan)
        keys = ([compile_column(a, left_scope) for a, _ in on], [compile_column(b, right_scope) for _, b in on])
        if left_scope.attached or right_scope.attached:
            raise declined("a scalar subquery in join keys")
    condition = variant.filter()
    scope = compiler.scope(left_plan, right_plan)
    left_cols, right_cols = field_names(left_plan), field_names(right_plan)

    if kind in _SEMI:
        keep_left = kind.startswith("Left")
        probe, build = (left, right) if keep_left else (right, left)
        probe_keys, build_keys = (keys if keep_left else keys[::-1]) if keys else (None, None)
        if condition is None:
            if keys is None:
                raise declined(f"{kind} join without keys or filter")
            kept = probe.join(build, left_on=probe_keys, right_on=build_keys, how=_SEMI[kind], nulls_equal=False)
            if kind == "LeftAnti" and plan.display().endswith("null_aware"):
                kept = _not_in(kept, probe_keys, build, build_keys)
            return kept
        if plan.display().endswith("null_aware"):
            raise declined("a null-aware anti join with a filter")
        probe = probe.with_row_index("__probe")
        pairs = _joined(*((probe, build) if keep_left else (build, probe)), keys, "left" if keep_left else "right")
        pairs = _accepted(compiler, pairs, condition, scope)
        hit = pl.col("__hit").any().over("__probe")
        kept = pairs.filter(hit if kind.endswith("Semi") else ~hit).unique(subset=["__probe"], keep="any")
        return select_fields(kept, left_cols if keep_left else right_cols)

    how = _OUTER.get(kind)
    if how is None:
        raise declined(f"{kind} join")
    columns = left_cols + right_cols
    if condition is None:
        if keys is None and how != "inner":
            raise declined(f"{kind} join without keys")
        return select_fields(_joined(left, right, keys, how), columns)
    if how == "inner":
        return select_fields(filtered(compiler, _joined(left, right, keys, "inner"), [condition], scope), columns)
    left, right = left.with_row_index("__left"), right.with_row_index("__right")
    pairs = _accepted(compiler, _joined(left, right, keys, how), condition, scope)
    pieces = [pairs.filter(pl.col("__hit"))]
    if how in ("left", "full"):
        pieces.append(_unpaired(pairs, "__left", right_cols))
    if how in ("right", "full"):
        pieces.append(_unpaired(pairs, "__right", left_cols))
    return pl.concat([select_fields(p, columns) for p in pieces], how="vertical_relaxed")
