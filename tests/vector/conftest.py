"""Seeded data shared by the vector tests: a clustered set (so ANN recall means something) and a numpy reference."""

from __future__ import annotations

import numpy as np
import pytest


def clustered(n: int, d: int, clusters: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(clusters, d)).astype(np.float32) * 4
    return (centers[rng.integers(0, clusters, n)] + rng.normal(size=(n, d))).astype(np.float32)


def reference(queries: np.ndarray, x: np.ndarray, metric: str) -> np.ndarray:
    """float64 distances [q, n] computed the obvious way, as pgvector defines them."""
    q, r = queries.astype(np.float64), x.astype(np.float64)
    if metric == "l2":
        return np.sqrt(((q[:, None, :] - r[None, :, :]) ** 2).sum(-1))
    if metric == "l1":
        return np.abs(q[:, None, :] - r[None, :, :]).sum(-1)
    if metric == "ip":
        return -(q @ r.T)
    return 1.0 - (q @ r.T) / np.outer(np.linalg.norm(q, axis=1), np.linalg.norm(r, axis=1))


def reference_topk(queries, x, rowids, metric, k, keep=None):
    """(distances, rowids) of the k nearest rows among ``keep`` (a boolean mask)."""
    dist = reference(queries, x, metric)
    if keep is not None:
        dist = np.where(keep[None, :], dist, np.inf)
    order = np.lexsort((np.broadcast_to(rowids, dist.shape), dist), axis=1)[:, :k]
    top = np.take_along_axis(dist, order, 1)
    return top, np.where(np.isinf(top), -1, rowids[order])


@pytest.fixture(scope="session")
def ann_data():
    """10k x 32 in 50 clusters, rowids non-contiguous, 40 queries from the same distribution."""
    x = clustered(10_000, 32, 50, seed=7)
    rng = np.random.default_rng(11)
    queries = x[rng.choice(len(x), 40, replace=False)] + rng.normal(size=(40, 32)).astype(np.float32) * 0.5
    rowids = np.arange(len(x), dtype=np.int64) * 7 + 1000
    return x, rowids, queries.astype(np.float32)
