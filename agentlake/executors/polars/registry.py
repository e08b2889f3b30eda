"""The compiler: one registry maps a plan node's variant name to the function that builds it.

As in the Dask compiler (``agentlake.executors.dask.registry``), each handler receives
the compiler, the plan node and its variant and returns a LazyFrame whose columns are
the node's fields in schema order; the compiler renames them positionally to the
node's qualified field names (``lineitem.l_quantity``, ``sum(...)``), so expressions
above find every column by the name DataFusion gives it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import polars as pl
import pyarrow as pa

from ..dask.expressions import ExprScope
from ..dask.registry import field_names
from ..dask.subqueries import ScalarSubqueries
from .runtime import checked, declined

Handler = Callable[["Compiler", Any, Any], pl.LazyFrame]
HANDLERS: dict[str, Handler] = {}
PLACEHOLDER = "__row"  # the one column of a node without fields, which keeps its row count


def handles(*variants: str) -> Callable[[Handler], Handler]:
    """Register a handler for the named plan-node variants."""

    def register(fn: Handler) -> Handler:
        for variant in variants:
            HANDLERS[variant] = fn
        return fn

    return register


def placeholder(frame: pl.LazyFrame) -> pl.LazyFrame:
    """``frame``'s rows without its columns: the placeholder column alone (``with_columns``
    gives a constant one value per row; a frame of no columns would have no rows)."""
    return frame.with_columns(pl.lit(0).alias(PLACEHOLDER)).select(PLACEHOLDER)


def select_fields(frame: pl.LazyFrame, names: list[str]) -> pl.LazyFrame:
    """``frame``'s columns ``names``, or its rows alone (the placeholder) where there are none."""
    return frame.select(names) if names else placeholder(frame)


@dataclass
class Scope(ExprScope):
    """What an expression may refer to (input columns and their DataFusion types), plus:

    ``reach``: the rows an expression is evaluated on, where that is fewer than all (a
    CASE arm), so a division there fails only for a zero divisor on those rows;
    ``attached``: the scalar subqueries the expressions read, as columns the node must
    cross-join onto its input (:meth:`Compiler.attach`).
    """

    reach: pl.Expr | None = None
    attached: dict[str, pl.LazyFrame] = field(default_factory=dict)

    def guarded(self, failing: pl.Expr) -> pl.Expr:
        """``failing``, limited to the rows this scope's expressions are evaluated on."""
        return failing if self.reach is None else failing & self.reach


class Compiler:
    """Compiles one optimized logical plan into a LazyFrame; holds what its handlers share.

    ``tables`` maps a table name to a Dask ``TableSource`` (Parquet files with deletion
    sets) or a Dask DataFrame; ``subqueries`` holds the separately planned uncorrelated
    scalar subqueries (see ``agentlake.executors.dask.subqueries``).
    """

    def __init__(self, session, tables: dict[str, Any], subqueries: ScalarSubqueries | None = None) -> None:
        self.session = session
        self.tables = tables
        self.subquery_plans = subqueries or ScalarSubqueries()
        self._subqueries: dict[str, tuple[str, pl.LazyFrame]] = {}  # by the subquery's plan text

    def compile(self, plan) -> pl.LazyFrame:
        variant = plan.to_variant()
        name = type(variant).__name__
        handler = HANDLERS.get(name)
        if handler is None:
            raise declined(f"plan node {name}")
        frame = handler(self, plan, variant)
        names = field_names(plan)
        if len(set(names)) != len(names):
            raise declined(f"a {name} node with duplicate field names {names}")
        current = frame.collect_schema().names()
        if not names:
            return frame if current == [PLACEHOLDER] else placeholder(frame)
        if current != names:
            frame = frame.select([pl.col(old).alias(new) for old, new in zip(current, names)])
        return frame

    def scope(self, *inputs) -> Scope:
        """Expressions over the concatenated fields of ``inputs`` (plan nodes)."""
        columns = [c for p in inputs for c in field_names(p)]
        cache: list[list[pa.DataType]] = []

        def arrow_types() -> list[pa.DataType]:
            if not cache:
                cache.append([f.type for p in inputs for f in self.arrow_schema(p)])
            return cache[0]

        return Scope(columns=columns, arrow_types=arrow_types, subquery=self.subquery)

    def subquery(self, subquery, scope: Scope) -> pl.Expr:
        """The value of an uncorrelated scalar subquery, as a column the scope attaches: NULL
        for no rows, SQLSTATE 21000 for more than one. A subquery is known by its plan's text:
        DataFusion hands out a new wrapper object at every look, so ``id()`` tells nothing."""
        key = repr(subquery)
        if key not in self._subqueries:
            plan = self.subquery_plans.take(key)
            if plan is None:
                raise declined("a scalar subquery whose plan cannot be recovered")
            frame = self.compile(plan)
            first = frame.collect_schema().names()[0]
            name = f"__subquery{len(self._subqueries)}"
            one_row = frame.select(pl.col(first).first().alias(name), pl.len().alias(name + "_rows"))
            self._subqueries[key] = (name, one_row)
        name, one_row = self._subqueries[key]
        scope.attached[name] = one_row
        return checked(
            pl.col(name),
            pl.col(name + "_rows") > 1,
            "21000",
            "more than one row returned by a subquery used as an expression",
        )

    def attach(self, frame: pl.LazyFrame, scope: Scope) -> pl.LazyFrame:
        """``frame`` with the scalar subqueries its scope's expressions read cross-joined on."""
        for one_row in scope.attached.values():
            frame = frame.join(one_row, how="cross")
        return frame

    def arrow_schema(self, plan) -> pa.Schema:
        """The Arrow schema DataFusion gives this node's output."""
        return self.session.create_dataframe_from_logical_plan(plan).schema()
