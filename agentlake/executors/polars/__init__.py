"""Plan-to-Polars compiler: DataFusion's optimized logical plan as a Polars LazyFrame.

DataFusion plans; this package runs the plan on Polars, on the CPU engine or on the
GPU engine (cudf-polars, ``collect(engine=GPUEngine)``), so one GPU can run a query
without Dask. It reads the same tables as the Dask compiler (``TableSource``: Parquet
files with deletion sets) and declines what it cannot run exactly with
``NotSupportedError`` (SQLSTATE 0A000), so a router can fall back to DataFusion.

Entry points: :func:`compile_plan` (a LazyFrame), :func:`collect` (run it, SQL
errors translated), ``Context.sql(query, executor="polars")`` and
:func:`run_on_polars` (the engine router's signature, Arrow out).
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pyarrow as pa

from ..dask.subqueries import find_scalar_subqueries
from . import nodes  # noqa: F401 - registers the node handlers
from .registry import HANDLERS, Compiler
from .run import default_gpu, run_context, run_on_polars, run_sql
from .runtime import collect
from .types import truncate


def compile_plan(session, plan, tables: dict[str, Any], query: str | None = None) -> pl.LazyFrame:
    """Compile an optimized logical plan into a LazyFrame with the plan's output names.

    ``session`` is the DataFusion SessionContext that planned it (for types); ``tables``
    maps table names to ``TableSource`` objects or Dask frames; ``query``, the SQL text,
    lets uncorrelated scalar subqueries be planned (see ``dask.subqueries``). Decimal
    results (doubles here) are cut to the scale DataFusion gives them.
    """
    compiler = Compiler(session, tables, subqueries=find_scalar_subqueries(session, query) if query else None)
    frame = compiler.compile(plan)
    schema = compiler.arrow_schema(plan)
    current = frame.collect_schema().names() if schema.names else []
    names = schema.names if len(set(schema.names)) == len(schema.names) else current
    return frame.select(
        [
            (truncate(pl.col(c), f.type.scale) if pa.types.is_decimal(f.type) else pl.col(c)).alias(out)
            for c, f, out in zip(current, schema, names)
        ]
    )


__all__ = ["HANDLERS", "Compiler", "collect", "compile_plan", "default_gpu", "run_context", "run_on_polars", "run_sql"]
