"""Which executor runs a query: DataFusion in-process, Dask, or cuDF on a GPU.

Dask costs milliseconds per query even on tiny data, and agents fire thousands
of tiny queries (DESIGN.md, "Two executors, one plan"), so the router sends a
query elsewhere only when the manifests say its input is large *and* there is
somewhere better to run it: a GPU, or a Dask cluster the user configured.
"""
from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from catalog import Snapshot
from catalog.objects import ROWID, field_id

from ..errors import Error, NotSupportedError

if TYPE_CHECKING:
    from .session import Session

DEFAULT_THRESHOLD_ROWS = 20_000_000


@lru_cache(maxsize=1)
def gpu_available() -> bool:
    """True only where CuPy sees a CUDA device; nothing GPU-related is imported otherwise."""
    if importlib.util.find_spec("cupy") is None or importlib.util.find_spec("cudf") is None:
        return False
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # a CUDA install without a usable device
        return False


def dask_cluster_configured() -> bool:
    if os.environ.get("AGENTLAKE_DASK_SCHEDULER"):
        return True
    try:
        from distributed import get_client

        get_client()
        return True
    except (ImportError, ValueError):
        return False


def input_rows(snapshot: Snapshot, stmt: exp.Expression) -> int:
    """Live rows of every table the statement reads, from the manifests (no data is touched)."""
    names = {node.name for node in stmt.find_all(exp.Table)}
    return sum(snapshot.tables[name].row_count for name in names if name in snapshot.tables)


def choose(session: "Session", stmt: exp.Expression) -> tuple[str, str]:
    """(executor, reason) for a query."""
    forced = session.settings["agentlake.executor"]
    if session.has_uncommitted_writes:
        return "local", "the transaction has uncommitted writes"
    if forced != "auto":
        return forced, f"SET agentlake.executor = '{forced}'"
    rows = input_rows(session.snapshot, stmt)
    threshold = session.settings.int("agentlake.dask_threshold_rows")
    if rows < threshold:
        return "local", f"{rows:,} input rows < agentlake.dask_threshold_rows ({threshold:,})"
    if gpu_available():
        return "gpu", f"{rows:,} input rows and a GPU"
    if dask_cluster_configured():
        return "dask", f"{rows:,} input rows and a Dask cluster"
    return "local", f"{rows:,} input rows, but no GPU or Dask cluster is configured"


def table_sources(snapshot: Snapshot) -> dict:
    """Every table of a snapshot as Dask ``TableSource``s: Parquet files plus deletion sets."""
    from ..dask import TableSource

    sources = {}
    for name, manifest in snapshot.tables.items():
        ids = [field_id(f) for f in manifest.schema]
        if any(any(entry.columns.get(i) != f.name for i, f in zip(ids, manifest.schema)) for entry in manifest.files):
            continue  # renamed or added columns: only the DataFusion registry maps those
        schema = pa.schema(list(manifest.schema) + [pa.field(ROWID, pa.int64())])
        live = [entry for entry in manifest.files if entry.live_rows]
        sources[name] = TableSource(
            files=[snapshot.repo.storage.uri(entry.path) for entry in live], schema=schema,
            deleted_rowids={snapshot.repo.storage.uri(e.path): e.deleted for e in live if len(e.deleted)} or None)
    return sources


def run_on_dask(session: "Session", stmt: exp.Expression, gpu: bool) -> pa.Table:
    """Plan with DataFusion, execute the plan on Dask (cuDF partitions on a GPU)."""
    from ..context import Context

    if gpu and not gpu_available():
        raise NotSupportedError("agentlake.executor = 'gpu' needs an NVIDIA GPU with cuDF", sqlstate="0A000")
    sql = session.datafusion_sql(stmt)
    context = Context()
    sources = table_sources(session.snapshot)
    for node in stmt.find_all(exp.Table):
        if node.name in session.snapshot.views:
            raise NotSupportedError(f'"{node.name}" is a view; views run on the local executor')
        if node.name in session.snapshot.tables and node.name not in sources:
            raise NotSupportedError(f'table "{node.name}" has renamed or added columns; the Dask executor reads '
                                    "files as written (compact it first)")
    for name, source in sources.items():
        context.register_table_source(name, source)
    try:
        result = context.run_datafusion_sql(sql, return_futures=False, gpu=gpu)
    except Error as err:
        if err.sqlstate == "42883":   # a function only the local engine registers (JSON, pg_catalog...)
            raise NotSupportedError(f"the Dask executor does not know a function of this query: {err}") from err
        raise
    if gpu:
        result = result.to_pandas()
    return with_planned_types(pa.Table.from_pandas(result, preserve_index=False), context.session.sql(sql).schema())


def with_planned_types(table: pa.Table, planned: pa.Schema) -> pa.Table:
    """Give a Dask answer the types the local executor would: pandas and cuDF partitions hold dates
    as timestamps and decimals as floats (rounded back to the column's scale here)."""
    columns = []
    for column, field in zip(table.columns, planned):
        if column.type != field.type:
            source = column
            if pa.types.is_decimal(field.type) and pa.types.is_floating(column.type):
                source = pc.round(column, field.type.scale)
            try:
                column = source.cast(field.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)
