"""cuVS indexes. CAGRA indexes must stay searchable on CPU-only machines, which is tested here
with a graph built on the CPU; building and searching on a GPU run only where one is present."""

from __future__ import annotations

import numpy as np
import pytest

from agentlake.vector import FileVectors, SearchSettings, create_index, exact_search, load_index, topk
from agentlake.vector import exact as exact_module
from agentlake.vector.gpu_backend import CuvsIndex
from agentlake.vector.metrics import distance

K = 10


def _knn_graph(x: np.ndarray, degree: int) -> np.ndarray:
    """An exact k-NN graph (what CAGRA prunes from), built on the CPU for the CPU-side test."""
    _, pos = exact_search(x, x, degree + 1, "l2")
    return pos[:, 1:].astype(np.uint32)


def _recall(got: np.ndarray, want: np.ndarray) -> float:
    return float(np.mean([len(set(g) & set(w)) / len(w) for g, w in zip(got, want)]))


def test_cagra_index_loads_and_searches_without_gpu(ann_data):
    x, rowids, queries = ann_data
    x, rowids = x[:3000], rowids[:3000]
    index = CuvsIndex.from_graph("l2", x, _knn_graph(x, 32), rowids)
    loaded = load_index("cagra", index.to_bytes(), x)
    allowed = rowids[::4]
    for mask in (None, allowed):
        dist, found = loaded.search(queries, K, allowed=mask, params={"ef_search": 64})
        keep = None if mask is None else np.flatnonzero(np.isin(rowids, mask))
        want_d, want_p = exact_search(queries, x, K, "l2", keep)
        assert _recall(found, rowids[want_p]) >= 0.95
        np.testing.assert_allclose(dist[:, 0], want_d[:, 0], rtol=1e-4)
        if mask is not None:  # a graph search may come back short (topk then fetches more); never with a filtered row
            assert np.isin(found[found >= 0], mask).all()


@pytest.mark.gpu
@pytest.mark.parametrize(
    "method,metric", [("cagra", "l2"), ("cagra", "cosine"), ("ivf_pq", "l2"), ("brute_force", "ip")]
)
def test_gpu_indexes_recall_filter_and_round_trip(ann_data, method, metric):
    pytest.importorskip("cuvs")
    x, rowids, queries = ann_data
    steps = []
    index = create_index(method, metric, {"device": "gpu", "lists": 64})
    index.build(x, rowids, lambda done, total: steps.append((done, total)))
    assert steps[-1][0] == steps[-1][1]
    source = FileVectors("f", rowids, lambda: x, load_index(method, index.to_bytes(), lambda: x))
    settings = SearchSettings(exact_threshold=0)
    want = topk([FileVectors("f", rowids, lambda: x)], queries, K, metric).rowids
    got = topk([source], queries, K, metric, None, settings)
    assert _recall(got.rowids, want) >= (0.9 if method == "ivf_pq" else 0.95), got.strategy
    rows = x[np.searchsorted(rowids, got.rowids)]  # pgvector's distances of the rows found, in order
    np.testing.assert_allclose(got.distances, distance(queries[:, None, :], rows, metric), rtol=1e-5, atol=1e-6)
    assert (np.diff(got.distances, axis=1) >= 0).all()
    passing = rowids[::10]
    filtered = topk([source], queries, K, metric, {"f": passing}, settings)
    assert (filtered.rowids >= 0).all() and np.isin(filtered.rowids, passing).all()


def test_stored_gpu_index_needs_the_files_vectors(ann_data):
    x, rowids, _ = ann_data
    stored = CuvsIndex.from_graph("l2", x[:500], _knn_graph(x[:500], 16), rowids[:500]).to_bytes()
    assert len(stored) < x[:500].nbytes  # the graph and rowids only: the vectors stay the data file's
    with pytest.raises(ValueError, match="without its vectors"):
        load_index("cagra", stored)
    with pytest.raises(ValueError, match="500 vectors"):
        load_index("cagra", stored, x[:400])


@pytest.mark.gpu
@pytest.mark.parametrize("metric", ["l2", "cosine", "ip", "l1"])
def test_exact_search_on_the_gpu_equals_the_cpus(ann_data, monkeypatch, metric):
    x, _, queries = ann_data
    x = x.copy()
    x[5] = np.nan  # a NULL vector never ranks
    rows = np.arange(0, len(x), 3)
    cpu = [exact_search(queries, x, K, metric, subset) for subset in (None, rows)]
    monkeypatch.setattr(exact_module, "GPU_MIN_WORK", 0)
    gpu = [exact_search(queries, x, K, metric, subset) for subset in (None, rows)]
    for (cpu_d, cpu_p), (gpu_d, gpu_p) in zip(cpu, gpu):
        np.testing.assert_array_equal(gpu_p, cpu_p)
        np.testing.assert_allclose(gpu_d, cpu_d, rtol=1e-12)
        assert 5 not in gpu_p
