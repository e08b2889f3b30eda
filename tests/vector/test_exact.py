"""Exact search and multi-file top-k equal a float64 numpy reference, ids and distances."""

from __future__ import annotations

import numpy as np
import pytest

from agentlake.errors import DataError
from agentlake.vector import FileVectors, SearchSettings, exact_search, topk
from agentlake.vector import exact as exact_module

from .conftest import clustered, reference_topk

METRICS = ["l2", "cosine", "ip", "l1"]


def _files(x: np.ndarray, rowids: np.ndarray, parts: int, deleted: np.ndarray | None = None):
    out = []
    for i, (xs, rs) in enumerate(zip(np.array_split(x, parts), np.array_split(rowids, parts))):
        live = None if deleted is None else ~np.isin(rs, deleted)
        out.append(FileVectors(file_id=f"f{i}", rowids=rs, vectors=lambda xs=xs: xs, live=live))
    return out


@pytest.mark.parametrize("metric", METRICS)
def test_exact_search_matches_numpy(metric, monkeypatch):
    monkeypatch.setattr(exact_module, "CHUNK_BYTES", 4096)  # many chunks: the running top-k merge is exercised
    x = clustered(600, 12, 6, seed=1)
    q = clustered(5, 12, 6, seed=2)
    positions = np.arange(len(x))
    want_d, want_p = reference_topk(q, x, positions, metric, 7)
    got_d, got_p = exact_search(q, x, 7, metric)
    np.testing.assert_array_equal(got_p, want_p)
    np.testing.assert_allclose(got_d, want_d, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("selectivity", [None, 0.02, 0.5])
def test_topk_over_files_with_filter_and_deletes(metric, selectivity):
    rng = np.random.default_rng(3)
    x = clustered(900, 16, 8, seed=4)
    rowids = rng.permutation(5000)[:900].astype(np.int64)
    deleted = rng.choice(rowids, 60, replace=False)
    q = clustered(6, 16, 8, seed=5)
    keep = ~np.isin(rowids, deleted)
    allowed = None
    if selectivity is not None:
        passing = rowids[rng.random(len(rowids)) < selectivity]
        keep &= np.isin(rowids, passing)
        allowed = {f"f{i}": passing for i in range(3)}
    result = topk(_files(x, rowids, 3, deleted), q, 10, metric, allowed, SearchSettings())
    want_d, want_r = reference_topk(q, x, rowids, metric, 10, keep)
    np.testing.assert_array_equal(result.rowids, want_r)
    np.testing.assert_allclose(result.distances, want_d, rtol=1e-9, atol=1e-9)
    assert result.strategy.startswith(f"exact over {int(keep.sum())} rows in 3 files")


def test_fewer_matches_than_k_are_padded_and_nulls_skipped():
    x = clustered(50, 4, 2, seed=6)
    x[3] = np.nan  # a NULL vector (the engine loads NULLs as NaN rows)
    rowids = np.arange(50, dtype=np.int64)
    result = topk(_files(x, rowids, 1), x[:1], 5, "l2", {"f0": np.array([0, 3, 9])})
    assert result.rowids[0].tolist() == [0, 9, -1, -1, -1]
    assert np.isinf(result.distances[0, 2:]).all() and result.distances[0, 0] == 0.0


def test_dimension_mismatch_names_both_dimensions():
    x = clustered(20, 4, 2, seed=8)
    with pytest.raises(DataError, match=r"^different vector dimensions 4 and 3") as err:
        topk(_files(x, np.arange(20, dtype=np.int64), 1), np.ones((1, 3)), 3, "l2")
    assert err.value.sqlstate == "22000"


def test_concurrent_searches_match_serial_ones_and_leave_blas_threads_as_they_were():
    """Small products run on one BLAS thread while any runs (several sessions at once made
    OpenBLAS's pool spin); the process-wide limit must be lifted when the last one ends."""
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_info

    x = clustered(3000, 32, 8, seed=4)
    queries = [clustered(1, 32, 8, seed=s) for s in range(40)]
    serial = [exact_search(q, x, 5, "l2") for q in queries]
    before = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    with ThreadPoolExecutor(8) as pool:
        concurrent = list(pool.map(lambda q: exact_search(q, x, 5, "l2"), queries))
    for (want_d, want_p), (got_d, got_p) in zip(serial, concurrent):
        np.testing.assert_array_equal(got_p, want_p)
        np.testing.assert_array_equal(got_d, want_d)
    assert [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"] == before
