"""Exact k-nearest-neighbour search with BLAS, in bounded memory.

Rows are scored in chunks with one matrix product each (for L2, ``||x||² - 2q·x``,
which ranks like the distance), a few extra candidates per query survive each
chunk, and the survivors are re-ranked with exact float64 distances — so ranks and
distances equal a float64 numpy reference while 1M x 384 never needs a 1M-wide
distance matrix. Large batches are scored on a GPU when one is present (then
only the candidates come back for the same re-rank).
"""

from __future__ import annotations

import numpy as np

from .blas_threads import blas_threads_for
from .metrics import check_metric, distance, normalized

CHUNK_BYTES = 32 << 20
EXTRA_CANDIDATES = 16
GPU_MIN_WORK = 1 << 30
"""Multiply-adds (queries x rows x dimensions) from which a GPU, where present, scores an exact
search: below that, copying the rows to the device costs more than the CPU's BLAS saves."""


def exact_search(
    queries: np.ndarray, vectors: np.ndarray, k: int, metric: str, rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(distances [q, k] float64, positions [q, k] int64) of the nearest ``rows`` of ``vectors``.

    ``rows`` restricts the search to those positions (default: all); results are
    padded with (inf, -1). Rows whose distance is NaN (NULL vectors) are never returned.
    """
    check_metric(metric)
    q = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
    n = len(vectors) if rows is None else len(rows)
    if k <= 0 or n == 0 or len(q) == 0:
        return np.full((len(q), max(k, 0)), np.inf), np.full((len(q), max(k, 0)), -1, dtype=np.int64)
    keep = min(n, k + EXTRA_CANDIDATES)
    if n == keep:  # every row is a candidate (a small file): rank them all by their exact distances
        best_pos = np.broadcast_to(np.arange(n) if rows is None else rows, (len(q), n))
        return _exactly_ranked(q, vectors, best_pos, k, metric)
    scored_q = normalized(q) if metric == "cosine" else q
    if len(q) * n * q.shape[1] >= GPU_MIN_WORK and _gpu():
        from .gpu_backend import exact_candidates

        best_pos = exact_candidates(scored_q, vectors, rows, keep, metric)
    else:
        with blas_threads_for(len(q) * n * q.shape[1]):
            best_pos = _candidates(scored_q, vectors, rows, n, keep, metric)
    return _exactly_ranked(q, vectors, best_pos, k, metric)


def _exactly_ranked(
    q: np.ndarray, vectors: np.ndarray, positions: np.ndarray, k: int, metric: str
) -> tuple[np.ndarray, np.ndarray]:
    exact = distance(q[:, None, :], vectors[np.maximum(positions, 0)], metric)
    exact = np.where(np.isnan(exact) | (positions < 0), np.inf, exact)
    return ranked(exact, positions, k)


def ranked(dist: np.ndarray, labels: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the k smallest distances and their labels (rowids or positions), ties by label so
    results are deterministic; padded with (inf, -1) where a row has fewer."""
    order = np.lexsort((labels, dist), axis=1)[:, :k]
    rows = np.arange(len(dist))[:, None]
    found = dist[rows, order]
    out_dist = np.full((len(dist), k), np.inf)
    out_labels = np.full((len(dist), k), -1, dtype=np.int64)
    out_dist[:, : found.shape[1]] = found
    out_labels[:, : found.shape[1]] = np.where(np.isinf(found), -1, labels[rows, order])
    return out_dist, out_labels


def _candidates(
    q: np.ndarray, vectors: np.ndarray, rows: np.ndarray | None, n: int, keep: int, metric: str
) -> np.ndarray:
    """The ``keep`` best-scoring positions per query, scored a bounded chunk of rows at a time."""
    per_row = 8 * q.shape[1] if metric == "l1" else 4
    step = max(keep, CHUNK_BYTES // max(1, per_row * len(q)))
    if rows is not None:  # gathering rows copies them: bound the copy too
        step = min(step, max(keep, CHUNK_BYTES // (4 * q.shape[1])))
    best_scores = np.empty((len(q), 0), dtype=np.float32)
    best_pos = np.empty((len(q), 0), dtype=np.int64)
    for start in range(0, n, step):
        positions = np.arange(start, min(n, start + step)) if rows is None else rows[start : start + step]
        chunk = vectors[start : start + step] if rows is None else vectors[positions]
        scores = _scores(q, np.asarray(chunk, dtype=np.float32), metric)
        scores[np.isnan(scores)] = np.inf
        scores, chosen = _smallest(scores, np.broadcast_to(positions, scores.shape), keep)
        best_scores, best_pos = _smallest(
            np.concatenate([best_scores, scores], axis=1), np.concatenate([best_pos, chosen], axis=1), keep
        )
    return best_pos


def _gpu() -> bool:
    from .gpu_backend import cuvs_gpu_available

    return cuvs_gpu_available()


def _smallest(scores: np.ndarray, positions: np.ndarray, keep: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``keep`` smallest scores of each row (unordered) and their positions."""
    if scores.shape[1] <= keep:
        return scores, positions
    top = np.argpartition(scores, keep - 1, axis=1)[:, :keep]
    return np.take_along_axis(scores, top, 1), np.take_along_axis(positions, top, 1)


def _scores(q: np.ndarray, x: np.ndarray, metric: str) -> np.ndarray:
    """Per-chunk ranking keys (smaller is nearer), float32 BLAS except L1."""
    if metric == "l2":
        return np.einsum("ij,ij->i", x, x)[None, :] - 2.0 * (q @ x.T)
    if metric == "cosine":  # q is unit length; dividing the products is cheaper than normalizing x
        with np.errstate(divide="ignore", invalid="ignore"):
            return -(q @ x.T) / np.sqrt(np.einsum("ij,ij->i", x, x))[None, :]
    if metric == "ip":
        return -(q @ x.T)
    return np.abs(q[:, None, :].astype(np.float64) - x[None, :, :]).sum(axis=2)
