"""TPC-H data shared with other test folders, a Context over it, and the embedded connection the
Dask answers are compared with."""

from __future__ import annotations

import datafusion
import pytest
from tpch.fixtures import tpch_queries, tpch_sf001  # noqa: F401 - session fixtures

import agentlake
from agentlake import Context

PARTITION_ROWS = 5_000  # several partitions per table even at scale 0.01


@pytest.fixture(scope="session")
def tpch_context(tpch_sf001) -> Context:
    ctx = Context(partition_rows=PARTITION_ROWS)
    for table, files in tpch_sf001.items():
        ctx.create_table(table, files)
    return ctx


@pytest.fixture(scope="session")
def tpch_datafusion(tpch_sf001) -> datafusion.SessionContext:
    """The oracle: DataFusion executing the same SQL on the same files."""
    ctx = datafusion.SessionContext()
    for table, files in tpch_sf001.items():
        ctx.register_parquet(table, files[0])
    return ctx


@pytest.fixture(scope="module")
def engine(repo):
    """An embedded connection to the module's ``repo``: the answers Context.sql is held against."""
    db = agentlake.connect(repo)
    yield db
    db.close()
