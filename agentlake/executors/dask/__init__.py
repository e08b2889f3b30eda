"""Plan-to-Dask compiler: DataFusion's optimized logical plan as a lazy Dask DataFrame.

DataFusion plans; this package executes the plan on Dask over pandas or cuDF
partitions. ``compile_plan`` is the entry point; ``register_scalar_function`` is the
extension point for functions defined elsewhere (vector distances, for one).
Anything the compiler cannot run raises ``NotSupportedError`` (SQLSTATE 0A000), so
a router can fall back to DataFusion.
"""

from __future__ import annotations

from typing import Any

import dask.dataframe as dd

from . import nodes, tensors, vectors  # noqa: F401 - registers the node handlers and the vector, tensor and media functions
from .explain import describe_plan
from .functions import register_scalar_function
from .partitions import decimal_scales, truncate_decimals
from .registry import HANDLERS, Compiler
from .source import TableSource
from .subqueries import find_scalar_subqueries


def compile_plan(
    session,
    plan,
    tables: dict[str, Any],
    functions: dict | None = None,
    gpu: bool = False,
    partition_rows: int = 1_000_000,
    query: str | None = None,
) -> dd.DataFrame:
    """Compile an optimized logical plan into a lazy Dask DataFrame with the plan's output names.

    ``session`` is the DataFusion SessionContext that planned it (used for output
    types); ``tables`` maps table names to ``TableSource`` objects or Dask frames;
    ``query``, the SQL text, lets uncorrelated scalar subqueries be planned (see
    ``subqueries``).
    """
    subqueries = find_scalar_subqueries(session, query) if query else None
    compiler = Compiler(
        session, tables, functions=functions, gpu=gpu, partition_rows=partition_rows, subqueries=subqueries
    )
    frame = compiler.compile(plan)
    schema = compiler.arrow_schema(plan)
    scales = decimal_scales(schema)
    if scales:
        by_position = dict(zip(schema.names, frame.columns))
        frame = frame.map_partitions(
            truncate_decimals, {by_position[n]: s for n, s in scales.items()}, meta=frame._meta
        )
    names = schema.names
    if len(set(names)) == len(names):
        frame = frame.rename(columns=dict(zip(frame.columns, names)))
    return frame


__all__ = ["HANDLERS", "Compiler", "TableSource", "compile_plan", "describe_plan", "register_scalar_function"]
