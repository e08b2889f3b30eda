"""Which executor runs a query: DataFusion in-process, Dask, or cuDF on a GPU.

Dask costs milliseconds per query even on tiny data, and agents fire thousands
of tiny queries (docs/ARCHITECTURE.md, "Decisions"), so the router sends a
query elsewhere only when the manifests say its input is large *and* there is
somewhere better to run it: a GPU, or a Dask cluster the user configured.
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from catalog import Snapshot

from ..errors import NotSupportedError

if TYPE_CHECKING:
    from .session import Session


@lru_cache(maxsize=1)
def cudf_gpu_available() -> bool:
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
    if cudf_gpu_available():
        return "gpu", f"{rows:,} input rows and a GPU"
    if dask_cluster_configured():
        return "dask", f"{rows:,} input rows and a Dask cluster"
    return "local", f"{rows:,} input rows, but no GPU or Dask cluster is configured"


def run_on_dask(
    session: "Session", stmt: exp.Expression, gpu: bool, computed: frozenset[int] = frozenset()
) -> pa.Table:
    """Plan with DataFusion, execute the plan on Dask (cuDF partitions on a GPU); ``computed``:
    the output columns the caller types from Dask's own values."""
    from ..executors.dask.bridge import declining_unknown_functions, readable_sources, run_sql

    if gpu and not cudf_gpu_available():
        raise NotSupportedError("agentlake.executor = 'gpu' needs an NVIDIA GPU with cuDF", sqlstate="0A000")
    sources = readable_sources(session.snapshot, stmt, "Dask")
    with declining_unknown_functions("Dask"):
        return run_sql(session.datafusion_sql(stmt, compiled=True), sources, gpu, computed)
