"""cuVS indexes. CAGRA indexes must stay searchable on CPU-only machines, which is tested here
with a graph built on the CPU; building and searching on a GPU run only where one is present."""
from __future__ import annotations

import numpy as np
import pytest

from agentlake.vector import FileVectors, SearchSettings, create_index, exact_search, load_index, topk
from agentlake.vector.gpu_backend import CuvsIndex

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
    loaded = load_index("cagra", index.to_bytes())
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
@pytest.mark.parametrize("method,metric", [("cagra", "l2"), ("cagra", "cosine"), ("ivf_pq", "l2"), ("brute_force", "ip")])
def test_gpu_indexes_recall_filter_and_round_trip(ann_data, method, metric):
    pytest.importorskip("cuvs")
    x, rowids, queries = ann_data
    steps = []
    index = create_index(method, metric, {"device": "gpu", "lists": 64})
    index.build(x, rowids, lambda done, total: steps.append((done, total)))
    assert steps[-1][0] == steps[-1][1]
    source = FileVectors("f", rowids, lambda: x, load_index(method, index.to_bytes()))
    settings = SearchSettings(exact_threshold=0)
    want = topk([FileVectors("f", rowids, lambda: x)], queries, K, metric).rowids
    got = topk([source], queries, K, metric, None, settings)
    assert _recall(got.rowids, want) >= (0.9 if method == "ivf_pq" else 0.95), got.strategy
    passing = rowids[::10]
    filtered = topk([source], queries, K, metric, {"f": passing}, settings)
    assert (filtered.rowids >= 0).all() and np.isin(filtered.rowids, passing).all()
