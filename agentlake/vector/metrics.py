"""pgvector's distance semantics, in one place, for the SQL functions, exact search and the indexes.

``<->`` is the Euclidean distance (not its square), ``<=>`` is ``1 - cos``, ``<#>`` is
the negated inner product and ``<+>`` the L1 (taxicab) distance.
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError, NotSupportedError

METRICS = ("l2", "cosine", "ip", "l1")


def check_metric(metric: str) -> str:
    if metric not in METRICS:
        raise NotSupportedError(f"unknown vector metric {metric!r}; use one of {', '.join(METRICS)}")
    return metric


def dimension_error(left: int, right: int) -> DataError:
    """The error pgvector raises, tagged so that DataFusion's wrapping keeps the SQLSTATE."""
    return DataError(f"[SQLSTATE 22000] different vector dimensions {left} and {right}", sqlstate="22000")


def norms(x: np.ndarray) -> np.ndarray:
    return np.sqrt(np.einsum("ij,ij->i", x, x, dtype=np.float64))


def normalized(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; zero rows stay zero (their cosine distance is undefined)."""
    n = np.sqrt(np.einsum("ij,ij->i", x, x))  # in x's own precision: this runs over whole index builds
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x / np.where(n == 0, 1, n)[:, None]).astype(np.float32, copy=False)


def distance(a, b, metric: str, xp=np):
    """Exact float64 distances along the last axis, broadcasting the others (pgvector returns float8).

    ``distance(a, b)`` pairs rows; ``distance(q[:, None], x[idx])`` re-ranks candidates.
    ``xp`` is the array module (CuPy re-ranks on the GPU, where the candidates already are).
    """
    a, b = xp.broadcast_arrays(xp.asarray(a, dtype=xp.float64), xp.asarray(b, dtype=xp.float64))
    if metric == "l2":
        diff = a - b
        return xp.sqrt(xp.einsum("...i,...i->...", diff, diff))
    if metric == "l1":
        return xp.abs(a - b).sum(axis=-1)
    dot = xp.einsum("...i,...i->...", a, b)
    if metric == "ip":
        return -dot
    with np.errstate(divide="ignore", invalid="ignore"):
        cos = dot / xp.sqrt(xp.einsum("...i,...i->...", a, a) * xp.einsum("...i,...i->...", b, b))
    # a zero vector has no direction: NaN, as in pgvector, and a positive one (0/0 sets the sign
    # bit on x86), which sorts after every number as PostgreSQL sorts NaN
    return xp.where(xp.isnan(cos), xp.nan, 1.0 - xp.clip(cos, -1.0, 1.0))
