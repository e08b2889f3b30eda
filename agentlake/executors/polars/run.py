"""Running SQL on the Polars compiler: for a ``Context``, and for the engine's router.

``run_on_polars`` has the signature of the router's ``run_on_dask`` (session,
statement, GPU or not; Arrow out, typed as the local engine types it), so the
router's ``gpu`` route can send a query here with the GPU engine, and tests can send
every query here on the CPU engine. Planning, catalog tables and result types come
from the Dask bridge, so both executors plan and answer alike.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from typing import Any

import polars as pl
import pyarrow as pa
from sqlglot import exp

from ..dask.bridge import (
    declining_unknown_functions,
    plan,
    planning_context,
    readable_sources,
    register_schema,
    with_planned_types,
)
from .runtime import collect


@lru_cache(maxsize=1)
def default_gpu() -> bool:
    """Whether Polars' GPU engine runs here: cudf-polars is installed and runs a trivial query
    on a device (nothing GPU-related is imported where cudf-polars is absent)."""
    if importlib.util.find_spec("cudf_polars") is None:
        return False
    try:
        pl.LazyFrame({"x": [1]}).select(pl.col("x").sum()).collect(engine=pl.GPUEngine(raise_on_fail=True))
        return True
    except Exception:  # noqa: BLE001 - an install without a usable device
        return False


def run_context(context: Any, query: str, lazy: bool = True, gpu: bool | None = None) -> pl.LazyFrame | pl.DataFrame:
    """``Context.sql(query, executor="polars")``: the LazyFrame, or (``lazy=False``) its result,
    computed on the GPU engine when ``gpu`` (by default: where one can run)."""
    from . import compile_plan

    frame = compile_plan(context.session, context._plan(query), context.tables, query=query)
    return frame if lazy else collect(frame, default_gpu() if gpu is None else gpu)


def run_sql(sql: str, sources: dict[str, Any], gpu: bool, computed: frozenset[int] = frozenset()) -> pa.Table:
    """A DataFusion-dialect query over catalog tables (``TableSource``s), answered on Polars as an
    Arrow table with the types the local executor would give (``computed`` columns as the Dask
    bridge's ``run_sql`` keeps them)."""
    from . import compile_plan

    ctx = planning_context()
    for name, source in sources.items():
        register_schema(ctx, name, source.visible_schema)
    logical_plan, schema = plan(ctx, sql)
    frame = compile_plan(ctx, logical_plan, dict(sources), query=sql)
    return with_planned_types(collect(frame, gpu).to_arrow(), schema, computed)


def run_on_polars(
    session: Any, stmt: exp.Expression, gpu: bool | None = None, computed: frozenset[int] = frozenset()
) -> pa.Table:
    """The router's ``run_on_dask``, on Polars: what the local engine would answer, or
    NotSupportedError where this compiler declines (views and tables with renamed columns
    included, which only the local engine maps)."""
    sources = readable_sources(session.snapshot, stmt, "polars")
    gpu = default_gpu() if gpu is None else gpu
    with declining_unknown_functions("polars"):
        return run_sql(session.datafusion_sql(stmt, compiled=True), sources, gpu, computed)
