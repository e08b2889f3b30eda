"""The numpy reference that vector queries through SQL are checked against, and seeded data.

Distances follow pgvector: ``<->`` Euclidean, ``<=>`` 1 - cosine, ``<#>`` negative inner
product, ``<+>`` L1, computed in float64 from the stored float32 vectors. Ties are broken
by id so the expected order is total.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

OPERATORS = {"l2": "<->", "cosine": "<=>", "ip": "<#>", "l1": "<+>"}
OPCLASSES = {"l2": "vector_l2_ops", "cosine": "vector_cosine_ops", "ip": "vector_ip_ops"}


def distances(vectors: np.ndarray, query: np.ndarray, metric: str) -> np.ndarray:
    x = np.asarray(vectors, dtype=np.float64)
    q = np.asarray(query, dtype=np.float64)
    if metric == "l2":
        return np.sqrt(((x - q) ** 2).sum(axis=1))
    if metric == "l1":
        return np.abs(x - q).sum(axis=1)
    if metric == "ip":
        return -(x @ q)
    return 1.0 - (x @ q) / (np.linalg.norm(x, axis=1) * np.linalg.norm(q))


def topk(
    ids: np.ndarray, vectors: np.ndarray, query: np.ndarray, k: int, metric: str, mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(ids, distances) of the k nearest rows (restricted to ``mask``), nearest first."""
    ids = np.asarray(ids)
    if mask is not None:
        ids, vectors = ids[mask], vectors[mask]
    d = distances(vectors, query, metric)
    order = np.lexsort((ids, d))[:k]
    return ids[order], d[order]


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean share of each query's true neighbours that were found (rows: queries)."""
    found, truth = np.atleast_2d(found), np.atleast_2d(truth)
    hits = sum(len(set(f.tolist()) & set(t.tolist())) for f, t in zip(found, truth))
    return hits / truth.size


def clustered(n: int, dim: int, seed: int, clusters: int = 64, spread: float = 3.0) -> np.ndarray:
    """Points around seeded Gaussian centres: the structure ANN indexes are built for."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim)) * spread
    return (centres[rng.integers(0, clusters, n)] + rng.standard_normal((n, dim))).astype(np.float32)


def vector_array(vectors: np.ndarray) -> pa.FixedSizeListArray:
    flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1))
    return pa.FixedSizeListArray.from_arrays(flat, vectors.shape[1])


def items(ids: np.ndarray, vectors: np.ndarray) -> pa.Table:
    """Rows for ``items (id bigint, bucket int, status text, embedding vector(d))``.

    ``bucket = id % 1000``, so ``bucket < s`` selects s/1000 of any contiguous id range;
    ``status`` alternates, for filters on text.
    """
    ids = np.asarray(ids, dtype=np.int64)
    return pa.table(
        {
            "id": pa.array(ids),
            "bucket": pa.array((ids % 1000).astype(np.int32)),
            "status": pa.array(np.where(ids % 2 == 0, "completed", "running")),
            "embedding": vector_array(vectors),
        }
    )


ITEMS_DDL = "CREATE TABLE items (id bigint PRIMARY KEY, bucket int, status text, embedding vector({dim}))"


class Rows:
    """The expected contents of ``items`` on one branch: ids and vectors, kept in id order."""

    def __init__(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        order = np.argsort(ids)
        self.ids = np.asarray(ids, dtype=np.int64)[order]
        self.vectors = np.asarray(vectors, dtype=np.float32)[order]

    def copy(self) -> "Rows":
        return Rows(self.ids.copy(), self.vectors.copy())

    def insert(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self.__init__(np.concatenate([self.ids, ids]), np.concatenate([self.vectors, vectors]))

    def update(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self.vectors[np.searchsorted(self.ids, ids)] = vectors

    def delete(self, ids: np.ndarray) -> None:
        keep = ~np.isin(self.ids, ids)
        self.ids, self.vectors = self.ids[keep], self.vectors[keep]

    def mask(self, bucket_below: int | None = None, status: str | None = None) -> np.ndarray:
        mask = np.ones(len(self.ids), dtype=bool)
        if bucket_below is not None:
            mask &= (self.ids % 1000) < bucket_below
        if status is not None:
            mask &= np.where(self.ids % 2 == 0, "completed", "running") == status
        return mask

    def topk(self, query: np.ndarray, k: int, metric: str, mask: np.ndarray | None = None):
        return topk(self.ids, self.vectors, query, k, metric, mask)
