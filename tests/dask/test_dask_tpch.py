"""All 22 TPC-H queries through the compiler equal DataFusion's own execution.

Synchronous scheduler for every query; a LocalCluster for a subset, so the graphs
are also checked to serialize and run on workers.
"""

from __future__ import annotations

import dask
import pytest
from dask_compare import assert_same_rows


def _order_is_total(number: int) -> bool:
    """Queries whose ORDER BY leaves no ties at scale 0.01 (others are compared as row sets)."""
    return number in (1, 4, 5, 7, 8, 9, 12, 16, 22)


@pytest.mark.parametrize("number", range(1, 23))
def test_tpch_query_matches_datafusion(number, tpch_context, tpch_datafusion, tpch_queries):
    query = tpch_queries[number]
    with dask.config.set(scheduler="sync"):
        got = tpch_context.sql(query, return_futures=False)
    expected = tpch_datafusion.sql(query).to_arrow_table()
    assert list(got.columns) == expected.schema.names
    assert_same_rows(got, expected, ordered=_order_is_total(number))


def test_tpch_threaded_scheduler(tpch_context, tpch_datafusion, tpch_queries):
    with dask.config.set(scheduler="threads"):
        got = tpch_context.sql(tpch_queries[3], return_futures=False)
    assert_same_rows(got, tpch_datafusion.sql(tpch_queries[3]).to_arrow_table())


@pytest.fixture(scope="module")
def local_cluster():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.mark.parametrize("number", [1, 4, 13, 18, 22])
def test_tpch_on_local_cluster(number, local_cluster, tpch_context, tpch_datafusion, tpch_queries):
    query = tpch_queries[number]
    got = tpch_context.sql(query, return_futures=False)
    assert_same_rows(got, tpch_datafusion.sql(query).to_arrow_table())


def test_threaded_compute_beside_a_live_client(local_cluster, tpch_context, tpch_datafusion, tpch_queries):
    """A join-heavy query computed on threads while a Client is alive (its P2P shuffle is off limits)."""
    with dask.config.set(scheduler="threads"):
        got = tpch_context.sql(tpch_queries[21], return_futures=False)
    assert_same_rows(got, tpch_datafusion.sql(tpch_queries[21]).to_arrow_table())
