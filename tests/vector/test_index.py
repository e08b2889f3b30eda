"""ANN indexes: recall on clustered data, filtered top-k that always returns k rows, bytes round trip."""

from __future__ import annotations

import numpy as np
import pytest

from agentlake.errors import NotSupportedError
from agentlake.vector import FileVectors, SearchSettings, create_index, exact_search, load_index, topk

from .conftest import clustered

K = 10
INDEXED = SearchSettings(exact_threshold=0)  # always use the index when a file has one


@pytest.fixture(scope="module")
def built(ann_data):
    x, rowids, _ = ann_data
    indexes = {}
    for method, params in (("hnsw", {"m": 16, "ef_construction": 40}), ("ivfflat", {"lists": 50})):
        progress: list[tuple[int, int]] = []
        index = create_index(method, "l2", params)
        index.build(x, rowids, lambda done, total: progress.append((done, total)))
        indexes[method] = (index, progress)
    return indexes


def _truth(x, rowids, queries, keep=None):
    rows = None if keep is None else np.flatnonzero(keep)
    _, pos = exact_search(queries, x, K, "l2", rows)
    return np.where(pos >= 0, rowids[np.maximum(pos, 0)], -1)


def _recall(got, want):
    hits = [len(set(g[g >= 0]) & set(w[w >= 0])) / max(1, (w >= 0).sum()) for g, w in zip(got, want)]
    return float(np.mean(hits))


@pytest.mark.parametrize("method", ["hnsw", "ivfflat"])
def test_recall_at_10(built, ann_data, method):
    x, rowids, queries = ann_data
    index, progress = built[method]
    source = FileVectors("f", rowids, lambda: x, index)
    result = topk([source], queries, K, "l2", None, INDEXED)
    assert _recall(result.rowids, _truth(x, rowids, queries)) >= 0.95
    assert result.strategy.startswith(method)
    done = [d for d, _ in progress]
    assert done == sorted(done) and progress[-1][0] == progress[-1][1]


@pytest.mark.parametrize("method", ["hnsw", "ivfflat"])
@pytest.mark.parametrize("selectivity", [0.001, 0.01, 0.1, 0.5])
@pytest.mark.parametrize(
    "settings,min_recall",
    [
        (SearchSettings(exact_threshold=500), 0.95),  # as planned: selective filters exact, others through the index
        (INDEXED, 0.9),  # the index forced even for a handful of rows: still k rows, recall bounded by the graph
    ],
    ids=["planned", "index-forced"],
)
def test_filtered_topk_returns_k_rows(built, ann_data, method, selectivity, settings, min_recall):
    x, rowids, queries = ann_data
    rng = np.random.default_rng(int(selectivity * 1000))
    passing = rng.choice(rowids, max(int(selectivity * len(rowids)), K + 2), replace=False)
    deleted = rng.choice(passing, len(passing) // 10, replace=False)
    keep = np.isin(rowids, passing) & ~np.isin(rowids, deleted)
    index, _ = built[method]
    source = FileVectors("f", rowids, lambda: x, index, live=~np.isin(rowids, deleted))
    result = topk([source], queries, K, "l2", {"f": passing}, settings)
    assert (result.rowids >= 0).all(), result.strategy
    assert np.isin(result.rowids, rowids[keep]).all()
    assert _recall(result.rowids, _truth(x, rowids, queries, keep)) >= min_recall
    planned_exact = settings is not INDEXED and keep.sum() <= settings.exact_threshold
    assert result.strategy.startswith("exact" if planned_exact else method)


def test_mixed_files_merge_and_explain(built, ann_data):
    x, rowids, queries = ann_data
    small = clustered(300, 32, 5, seed=9)
    small_ids = np.arange(300, dtype=np.int64) + 10**6
    sources = [FileVectors("big", rowids, lambda: x, built["hnsw"][0]), FileVectors("small", small_ids, lambda: small)]
    result = topk(sources, queries, K, "l2", None, SearchSettings(exact_threshold=1000))
    want = _truth(np.concatenate([x, small]), np.concatenate([rowids, small_ids]), queries)
    assert _recall(result.rowids, want) >= 0.95
    assert "exact over 300 rows in 1 file" in result.strategy and "hnsw(ef_search=80) in 1 file" in result.strategy
    assert (np.diff(result.distances, axis=1) >= 0).all()


@pytest.mark.parametrize("method,metric", [("hnsw", "cosine"), ("ivfflat", "ip"), ("ivf_pq", "l2"), ("flat", "cosine")])
def test_bytes_round_trip(method, metric):
    x = clustered(1200, 16, 8, seed=13)
    rowids = np.arange(1200, dtype=np.int64) * 2 + 5
    params = {"lists": 8, "m": 4, "ef_construction": 32}
    index = create_index(method, metric, {k: v for k, v in params.items() if k != "m" or method == "ivf_pq"})
    index.build(x, rowids)
    loaded = load_index(method, index.to_bytes())
    allowed = rowids[::3]
    for kwargs in ({}, {"allowed": allowed}):
        d1, r1 = index.search(x[:5], K, params={"ef_search": 64, "probes": 4}, **kwargs)
        d2, r2 = loaded.search(x[:5], K, params={"ef_search": 64, "probes": 4}, **kwargs)
        np.testing.assert_array_equal(r1, r2)
        np.testing.assert_array_equal(d1, d2)
    assert (loaded.method, loaded.metric, loaded.dim) == (method, metric, 16)
    assert np.isin(r2[r2 >= 0], allowed).all()


def test_index_distances_follow_pgvector(ann_data):
    x, rowids, queries = ann_data
    for metric in ("l2", "cosine", "ip"):
        index = create_index("flat", metric)
        index.build(x[:500], rowids[:500])
        dist, found = index.search(queries[:3], 5)
        want, pos = exact_search(queries[:3], x[:500], 5, metric)
        np.testing.assert_array_equal(found, rowids[pos])
        np.testing.assert_allclose(dist, want, rtol=1e-4, atol=1e-4)


def test_unsupported_methods_and_metrics():
    with pytest.raises(NotSupportedError, match="searched exactly"):
        create_index("hnsw", "l1")
    with pytest.raises(NotSupportedError, match='access method "btree"'):
        create_index("btree", "l2")


def test_ivf_pq_candidates_are_reranked_exactly(ann_data):
    x, rowids, queries = ann_data
    x, rowids = x[:4000], rowids[:4000]
    index = create_index("ivf_pq", "l2", {"lists": 16, "m": 8})
    index.build(x, rowids)
    source = FileVectors("f", rowids, lambda: x, index)
    result = topk([source], queries, K, "l2", None, INDEXED)
    want_d, want_p = exact_search(queries, x, K, "l2")
    assert _recall(result.rowids, rowids[want_p]) >= 0.9
    hit = result.rowids == rowids[want_p]
    np.testing.assert_allclose(result.distances[hit], want_d[hit], rtol=1e-9)  # exact, not PQ-approximated
    assert result.strategy.startswith("ivf_pq(probes=")
