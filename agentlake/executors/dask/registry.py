"""The compiler: one registry maps a plan node's variant name to the function that builds it.

Each handler receives the compiler, the plan node and its variant, and returns a Dask
DataFrame whose columns are the node's qualified field names in schema order (the
compiler renames positionally after every node, so optimizer-made names such as
``__common_expr_1`` or ``sum(lineitem.l_quantity)`` survive unchanged). Handlers live
one family per module in ``agentlake.executors.dask.nodes``.
"""

from __future__ import annotations

from typing import Any, Callable

import dask.dataframe as dd
import pyarrow as pa

from ...errors import Error, NotSupportedError
from .expressions import Evaluator, ExprScope, compile_expr
from .subqueries import ScalarSubqueries

Handler = Callable[["Compiler", Any, Any], dd.DataFrame]
HANDLERS: dict[str, Handler] = {}


def handles(*variants: str) -> Callable[[Handler], Handler]:
    """Register a handler for the named plan-node variants."""

    def register(fn: Handler) -> Handler:
        for variant in variants:
            HANDLERS[variant] = fn
        return fn

    return register


def field_names(plan) -> list[str]:
    return list(plan.to_variant().schema().field_names())


class Compiler:
    """Compiles one optimized logical plan; holds what its handlers share.

    ``tables`` maps a table name to a ``TableSource`` or a Dask DataFrame;
    ``functions`` overlays the global scalar function registry; ``scalars`` collects
    the Dask scalars of uncorrelated subqueries, passed to every partition function.
    """

    def __init__(
        self,
        session,
        tables: dict[str, Any],
        functions: dict | None = None,
        gpu: bool = False,
        partition_rows: int = 1_000_000,
        subqueries: "ScalarSubqueries | None" = None,
    ) -> None:
        self.session = session
        self.tables = tables
        self.functions = functions or {}
        self.gpu = gpu
        self.partition_rows = partition_rows
        self.scalars: list[Any] = []
        self.subquery_plans = subqueries or ScalarSubqueries()
        self._subqueries: dict[str, int] = {}  # by the subquery's plan text

    def compile(self, plan) -> dd.DataFrame:
        variant = plan.to_variant()
        name = type(variant).__name__
        handler = HANDLERS.get(name)
        if handler is None:
            raise NotSupportedError(f"plan node {name} is not supported by the dask executor")
        frame = handler(self, plan, variant)
        names = field_names(plan)
        if list(frame.columns) != names:
            frame = frame.rename(columns=dict(zip(frame.columns, names)))
        return frame

    def scope(self, *inputs) -> ExprScope:
        """Expressions over the concatenated fields of ``inputs`` (plan nodes)."""
        columns = [c for p in inputs for c in field_names(p)]
        cache: list[list[pa.DataType]] = []

        def arrow_types() -> list[pa.DataType]:
            if not cache:
                cache.append([f.type for p in inputs for f in self.arrow_schema(p)])
            return cache[0]

        return ExprScope(columns=columns, functions=self.functions, subquery=self.subquery, arrow_types=arrow_types)

    def compile_exprs(self, exprs, scope: ExprScope) -> list[Evaluator]:
        return [compile_expr(e, scope) for e in exprs]

    def subquery(self, subquery) -> int:
        """Index (into the partition functions' env) of an uncorrelated scalar subquery's value;
        its row count follows it (more than one row is an error where the value is read).

        The subquery is compiled once and reduced to Dask scalars, so Dask computes it
        once per query however many partitions read it. It is known by its plan's text, not by
        ``id()``: DataFusion hands out a new wrapper object at every look, and a freed one's id
        goes to the next (``x > ALL (S)`` plans two subqueries, count and max of S, and the max
        was once answered with the count).
        """
        key = repr(subquery)
        if key not in self._subqueries:
            plan = self.subquery_plans.take(key)
            if plan is None:
                raise NotSupportedError(
                    "a scalar subquery whose plan cannot be recovered is not supported by the dask executor"
                )
            frame = self.compile(plan)
            column = frame[frame.columns[0]]
            self.scalars += [column.max(), column.size]
            self._subqueries[key] = len(self.scalars) - 2
        return self._subqueries[key]

    def map(self, frame: dd.DataFrame, fn: Callable[..., Any], meta: Any = None) -> dd.DataFrame:
        """``frame.map_partitions(fn(partition, env))`` with the subquery values as env.

        The output's meta comes from running ``fn`` on the empty meta partition, which
        is much cheaper than Dask's inference on made-up rows; inference remains the
        fallback for functions that cannot run on an empty frame.
        """
        scalars = list(self.scalars)

        def run(part, *values):
            return fn(part, tuple(values))

        if meta is None:
            try:
                meta = run(frame._meta, *(s._meta for s in scalars))
            except Error:  # not for want of rows: a constant is wrong ('[1,x]'::vector), so is every partition
                raise
            except Exception:  # inference below copes with what an empty frame cannot show
                return frame.map_partitions(run, *scalars)
        return frame.map_partitions(run, *scalars, meta=meta)

    def arrow_schema(self, plan) -> pa.Schema:
        """The Arrow schema DataFusion gives this node's output."""
        return self.session.create_dataframe_from_logical_plan(plan).schema()
