"""TPC-H data and a Context over it for the Polars compiler's tests; rows are compared with the
Dask tests' rule (``tests/dask/dask_compare.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import datafusion
import pytest
from tpch.fixtures import tpch_queries, tpch_sf001  # noqa: F401 - session fixtures

from agentlake import Context

sys.path.append(str(Path(__file__).resolve().parents[1] / "dask"))  # dask_compare: one comparison rule


@pytest.fixture(scope="session")
def polars_tpch_context(tpch_sf001) -> Context:
    ctx = Context()
    for table, files in tpch_sf001.items():
        ctx.create_table(table, files)
    return ctx


@pytest.fixture(scope="session")
def tpch_oracle(tpch_sf001) -> datafusion.SessionContext:
    """DataFusion executing the same SQL on the same files."""
    ctx = datafusion.SessionContext()
    for table, files in tpch_sf001.items():
        ctx.register_parquet(table, files[0])
    return ctx
