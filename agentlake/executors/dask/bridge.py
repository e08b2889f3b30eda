"""From SQL to a Dask answer: the DataFusion context that plans (tables known only by their
schemas), a catalog snapshot's tables as Dask sources, and the compile-and-compute step.

``agentlake.Context`` and the engine's router both run queries on Dask through here, so the
router never builds a public ``Context`` and a query is planned once.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

import dask
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from catalog import Snapshot
from catalog.objects import ROWID, field_id

from ...errors import Error, NotSupportedError
from ...sql.diagnostics import translate
from ...vector.functions import register_vector_functions
from . import compile_plan
from .functions import planner_udfs
from .source import TableSource


def planning_context() -> Any:
    """A DataFusion context with the functions the Dask compiler can run (pgvector's among them),
    and the interval arithmetic the planner folds where its operands are constants (over columns
    the compiler declines it, so the router answers on DataFusion)."""
    from datafusion import SessionContext

    from ..local.interval_functions import register_interval_functions

    ctx = SessionContext()
    register_vector_functions(ctx)
    register_interval_functions(ctx)
    for planner_udf in planner_udfs():
        ctx.register_udf(planner_udf)
    return ctx


def register_schema(ctx: Any, name: str, schema: pa.Schema) -> None:
    """Make ``name`` known to the planner by its schema alone (an empty table): DataFusion plans,
    the compiler reads the data."""
    if ctx.table_exist(name):
        ctx.deregister_table(name)
    ctx.register_record_batches(name, [[pa.RecordBatch.from_pylist([], schema=schema)]])


def plan(ctx: Any, sql: str) -> tuple[Any, pa.Schema]:
    """DataFusion's optimized logical plan of ``sql`` and its output schema, planned once."""
    try:
        frame = ctx.sql(sql)
        return frame.optimized_logical_plan(), frame.schema()
    except Exception as exc:  # DataFusion reports planning errors as plain exceptions: give them SQLSTATEs
        raise translate(exc) from exc


def compile_and_run(
    ctx: Any,
    logical_plan: Any,
    tables: dict[str, Any],
    *,
    sql: str,
    gpu: bool = False,
    functions: dict | None = None,
    partition_rows: int = 1_000_000,
    compute: bool = True,
) -> Any:
    """The plan as a Dask frame over ``tables`` (computed unless ``compute`` is false)."""
    with dask.config.set(shuffle_settings()):
        frame = compile_plan(
            ctx, logical_plan, tables, functions=functions, gpu=gpu, partition_rows=partition_rows, query=sql
        )
        return frame.compute() if compute else frame


def table_sources(snapshot: Snapshot) -> dict[str, TableSource]:
    """Every table of a snapshot as Dask ``TableSource``s: Parquet files plus deletion sets.
    Tables whose files were written before a column was renamed or added are left out: only the
    local executor maps those."""
    sources = {}
    for name, manifest in snapshot.tables.items():
        ids = [field_id(f) for f in manifest.schema]
        if any(any(entry.columns.get(i) != f.name for i, f in zip(ids, manifest.schema)) for entry in manifest.files):
            continue
        schema = pa.schema(list(manifest.schema) + [pa.field(ROWID, pa.int64())])
        live = [entry for entry in manifest.files if entry.live_rows]
        sources[name] = TableSource(
            files=[snapshot.repo.storage.uri(entry.path) for entry in live],
            schema=schema,
            deleted_rowids={snapshot.repo.storage.uri(e.path): e.deleted for e in live if len(e.deleted)} or None,
        )
    return sources


def readable_sources(snapshot: Snapshot, stmt: exp.Expression, executor: str) -> dict[str, TableSource]:
    """The snapshot's tables as sources, once the statement is known to read none that a plan
    compiler cannot: views, and tables whose files predate a rename or an added column (only the
    local executor maps those). Raises NotSupportedError, so the router falls back."""
    sources = table_sources(snapshot)
    for node in stmt.find_all(exp.Table):
        if node.name in snapshot.views:
            raise NotSupportedError(f'"{node.name}" is a view; views run on the local executor')
        if node.name in snapshot.tables and node.name not in sources:
            raise NotSupportedError(
                f'table "{node.name}" has renamed or added columns; the {executor} executor reads '
                "files as written (compact it first)"
            )
    return sources


@contextlib.contextmanager
def declining_unknown_functions(executor: str) -> Iterator[None]:
    """A function only the local engine registers (JSON, pg_catalog...) is a reason to fall back,
    not an error for the user."""
    try:
        yield
    except Error as err:
        if err.sqlstate == "42883":
            raise NotSupportedError(f"the {executor} executor does not know a function of this query: {err}") from err
        raise


def run_sql(sql: str, sources: dict[str, TableSource], gpu: bool, computed: frozenset[int] = frozenset()) -> pa.Table:
    """A DataFusion-dialect query over catalog tables, answered on Dask as an Arrow table with the
    types the local executor would give; the ``computed`` columns (numeric averages and quotients,
    which the caller types) keep the digits Dask computed them to."""
    ctx = planning_context()
    for name, source in sources.items():
        register_schema(ctx, name, source.visible_schema)
    logical_plan, schema = plan(ctx, sql)
    result = compile_and_run(ctx, logical_plan, dict(sources), sql=sql, gpu=gpu)
    if gpu:
        result = result.to_pandas()
    return with_planned_types(pa.Table.from_pandas(result, preserve_index=False), schema, computed)


def with_planned_types(table: pa.Table, planned: pa.Schema, computed: frozenset[int] = frozenset()) -> pa.Table:
    """Give a Dask answer the types the local executor would: pandas and cuDF partitions hold dates
    as timestamps and decimals as floats (rounded back to the column's scale here)."""
    columns = []
    for index, (column, field) in enumerate(zip(table.columns, planned)):
        if column.type != field.type and index not in computed:
            source = column
            if pa.types.is_decimal(field.type) and pa.types.is_floating(column.type):
                source = pc.round(column, field.type.scale)
            try:
                column = source.cast(field.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def shuffle_settings() -> dict[str, str]:
    """Dask settings for building and computing a query here.

    Next to a live Client, a local (threaded or synchronous) compute must not use the
    Client's P2P shuffle, which Dask picks while building the graph, so those shuffle
    by tasks; on the Client itself, or with no Client, Dask's defaults stand.
    """
    try:
        from distributed import default_client

        default_client()
    except (ImportError, ValueError):
        return {}
    if dask.config.get("scheduler", None) in (None, "dask.distributed", "distributed"):
        return {}
    return {"dataframe.shuffle.method": "tasks"}


__all__ = [
    "NotSupportedError",
    "compile_and_run",
    "plan",
    "planning_context",
    "register_schema",
    "run_sql",
    "table_sources",
    "with_planned_types",
]
