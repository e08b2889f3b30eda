"""Top-k over many data files: per file exact or index search, merged into one global top-k.

A filtered query must return k rows whenever k rows match. Per file the number of
live allowed rows is counted (the filter was evaluated, so selectivity is known):
few rows are searched exactly; otherwise the index is searched with the filter and
the deletion vector pushed into it, fetching more (doubling) until every query has
k live results, and falling back to exact search for queries it cannot satisfy.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from .exact import EXTRA_CANDIDATES, exact_search, ranked
from .index import VectorIndex
from .metrics import check_metric, dimension_error, distance

__all__ = ["FileVectors", "SearchSettings", "TopKResult", "exact_search", "topk"]


@dataclass
class SearchSettings:
    """Session knobs: pgvector's ``hnsw.ef_search`` and ``ivfflat.probes`` are floors that
    ``recall_target`` may raise; files with at most ``exact_threshold`` candidate rows are
    searched exactly; an index is asked for at most ``max_overfetch * k`` rows before the
    exact fallback; files of at most ``small_file_rows`` rows without an index (what many
    small commits leave) are searched exactly all together, in one pass."""

    ef_search: int = 40
    probes: int = 1
    exact_threshold: int = 10_000
    recall_target: float = 0.95
    max_overfetch: int = 64
    small_file_rows: int = 2048

    def __post_init__(self) -> None:
        """A setting left unset (None) by the caller keeps its default."""
        for name, field in self.__dataclass_fields__.items():
            if getattr(self, name) is None:
                setattr(self, name, field.default)


@dataclass
class FileVectors:
    """One data file's vector column: its rowids in file order, a lazy [n, d] loader, its index,
    which of its rows are live (None: all; a file's deletion vector as a mask over ``rowids``), and
    where given rowids sit in it (a cached lookup; None: sorted again at each re-rank)."""

    file_id: str
    rowids: np.ndarray
    vectors: Callable[[], np.ndarray]
    index: VectorIndex | None = None
    live: np.ndarray | None = None
    positions: Callable[[np.ndarray], np.ndarray] | None = None


@dataclass
class TopKResult:
    """Row i answers query i, nearest first; padded with rowid -1 and distance inf."""

    rowids: np.ndarray
    distances: np.ndarray
    strategy: str


Stack = Callable[[Sequence[FileVectors]], np.ndarray]
"""The vectors of several files one after another (a caller may keep them: files never change)."""


def stacked(sources: Sequence[FileVectors]) -> np.ndarray:
    return np.concatenate([source.vectors() for source in sources])


def topk(
    sources: Sequence[FileVectors],
    queries: np.ndarray,
    k: int,
    metric: str,
    allowed: Mapping[str, np.ndarray] | None = None,
    settings: SearchSettings | None = None,
    stack: Stack = stacked,
    nulls_last: bool = False,
) -> TopKResult:
    """The k nearest live rows over all ``sources``; ``allowed[file_id]`` (if given) says which
    rows pass the query's filter: their rowids, or a boolean mask over the file's rows (a file
    missing from it has none).

    ``nulls_last`` gives SQL's ``ORDER BY distance LIMIT k``: when fewer than k rows have a
    distance, rows whose distance is NaN (a zero vector's cosine) and then rows without a vector
    (NULL distance) make up the k, as PostgreSQL sorts them."""
    check_metric(metric)
    settings = settings or SearchSettings()
    q = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
    found_d, found_r = [], []
    plan = _Plan()
    small: list[tuple[FileVectors, np.ndarray | None]] = []
    candidates: list[tuple[FileVectors, np.ndarray | None]] = []
    for source in sources:
        mask = _candidates(source, None if allowed is None else allowed.get(source.file_id, np.empty(0, np.int64)))
        live = len(source.rowids) if mask is None else int(mask.sum())
        if live == 0 or k <= 0:
            continue
        candidates.append((source, mask))
        index = source.index
        if index is None and len(source.rowids) <= settings.small_file_rows:
            small.append((source, mask))
            plan.exact_rows += live
            plan.exact_files += 1
            continue
        if index is not None and index.metric == metric and live > settings.exact_threshold:
            _check_dim(q, index.dim)
            exact_distances = getattr(index, "exact_distances", True)
            dist, rowids, short = _index_search(index, q, k if exact_distances else 4 * k, mask, live, settings, plan)
            if not exact_distances:
                dist, rowids = _rerank(source, q, rowids, k, metric)
            if short.any():
                d2, r2 = _exact(source, q[short], k, metric, mask)
                dist[short], rowids[short] = d2, r2
                plan.fallbacks += int(short.sum())
        else:
            dist, rowids = _exact(source, q, k, metric, mask)
            plan.exact_rows += live
            plan.exact_files += 1
        found_d.append(dist)
        found_r.append(rowids)
    if small:
        dist, rowids = _exact_together(small, q, k, metric, stack)
        found_d.append(dist)
        found_r.append(rowids)
    distances, rowids = _merge(found_d, found_r, len(q), k)
    if nulls_last and candidates and (rowids < 0).any():
        _fill_after_the_distances(distances, rowids, candidates, q, metric)
    return TopKResult(rowids, distances, plan.describe())


def _fill_after_the_distances(
    distances: np.ndarray,
    rowids: np.ndarray,
    candidates: list[tuple[FileVectors, np.ndarray | None]],
    q: np.ndarray,
    metric: str,
) -> None:
    """Short result lists completed in place (distance NaN) once every row with a distance was
    taken: first the rows whose distance is NaN, then those without a vector, lowest rowids first."""
    files = []  # per file: its vectors, the allowed positions holding one, the allowed rowids without one
    for source, mask in candidates:
        vectors = source.vectors()
        null = np.isnan(vectors).any(axis=1)
        allowed = np.ones(len(null), bool) if mask is None else mask
        files.append((source, vectors, np.flatnonzero(allowed & ~null), source.rowids[allowed & null]))
    without = np.sort(np.concatenate([rowids_without for *_, rowids_without in files]))
    for row in np.flatnonzero((rowids < 0).any(axis=1)):
        undefined = [
            source.rowids[at[np.isnan(distance(q[row], vectors[at], metric))]] for source, vectors, at, _ in files
        ]
        spare = np.concatenate([np.sort(np.concatenate(undefined)), without])
        free = np.flatnonzero(rowids[row] < 0)[: len(spare)]
        rowids[row, free], distances[row, free] = spare[: len(free)], np.nan


def _exact_together(
    small: list[tuple[FileVectors, np.ndarray | None]], q: np.ndarray, k: int, metric: str, stack: Stack
) -> tuple[np.ndarray, np.ndarray]:
    """One exact search over several small files, each with its own mask of candidate rows."""
    if len(small) == 1:
        return _exact(small[0][0], q, k, metric, small[0][1])
    vectors = stack([source for source, _ in small])
    _check_dim(q, vectors.shape[1])
    rowids = np.concatenate([source.rowids for source, _ in small])
    rows = None
    if any(mask is not None for _, mask in small):
        rows = np.flatnonzero(np.concatenate([np.ones(len(s.rowids), bool) if m is None else m for s, m in small]))
    dist, pos = exact_search(q, vectors, k, metric, rows)
    return dist, np.where(pos >= 0, rowids[np.maximum(pos, 0)], -1)


def _candidates(source: FileVectors, allowed: np.ndarray | None) -> np.ndarray | None:
    """Boolean mask of the file's rows that may be returned (None: all of them). Allowed rowids
    are placed by the file's cached rowid lookup: a membership test would walk every row."""
    mask = source.live
    if allowed is not None:
        if allowed.dtype == bool:
            passing = allowed
        else:
            at = _positions(source, np.asarray(allowed, dtype=np.int64))
            passing = np.zeros(len(source.rowids), dtype=bool)
            passing[at[at >= 0]] = True
        mask = passing if mask is None else mask & passing
    return mask


def _exact(source: FileVectors, q: np.ndarray, k: int, metric: str, mask: np.ndarray | None):
    stored = getattr(source.index, "search_stored", None)
    if stored is not None and source.index.metric == metric:
        _check_dim(q, source.index.dim)
        found = stored(q, k + EXTRA_CANDIDATES, allowed=mask)
        if found is not None:
            return _rerank(source, q, found[1], k, metric)
    vectors = source.vectors()
    _check_dim(q, vectors.shape[1])
    rows = None if mask is None else np.flatnonzero(mask)
    dist, pos = exact_search(q, vectors, k, metric, rows)
    return dist, np.where(pos >= 0, source.rowids[np.maximum(pos, 0)], -1)


_EF_PER_MISS = {"cagra": 0.8}
"""Candidate list length, per result and per unit of recall still missing, that reaches the recall
target: 0.4 for HNSW (ef_search 80 for 10 rows at 0.95); CAGRA's fixed-degree graph needs twice that
(itopk 80 gave 0.925 on the GPU test's data, 128 gave 0.986 at 1M rows)."""


def _index_search(
    index: VectorIndex,
    q: np.ndarray,
    k: int,
    mask: np.ndarray | None,
    live: int,
    settings: SearchSettings,
    plan: "_Plan",
):
    """Index search with the filter pushed in; doubles the fetch for queries still short of k.

    Returns (distances, rowids, short): ``short`` marks queries that never got k live rows."""
    need = min(k, live)
    # a filter passing a fraction s of the rows leaves ~s of each visited neighbourhood usable,
    # so widen the search by 1/sqrt(s): enough for recall, far from exhaustive
    widen = math.sqrt(len(index.rowids) / live)
    miss = max(1e-3, 1.0 - settings.recall_target)
    ef_per_miss = _EF_PER_MISS.get(index.method, 0.4)
    ef = min(len(index.rowids), math.ceil(max(settings.ef_search, k, k * ef_per_miss / miss) * widen))
    lists = int(getattr(index, "params", {}).get("lists") or 1)
    # sqrt(lists) probes at recall 0.95, pgvector's own advice
    probes = min(lists, math.ceil(max(settings.probes, math.sqrt(lists) * 0.05 / miss) * widen))
    plan.index_uses[_describe(index.method, ef, probes, mask is not None)] += 1
    dist, rowids = index.search(q, k, allowed=mask, params={"ef_search": max(ef, k), "probes": probes})
    short = (rowids >= 0).sum(axis=1) < need
    fetch = k
    while short.any() and fetch < min(live, k * settings.max_overfetch):
        fetch, ef, probes = min(fetch * 2, live), ef * 2, min(probes * 2, lists)
        todo = np.flatnonzero(short)
        d, r = index.search(q[todo], fetch, allowed=mask, params={"ef_search": max(ef, fetch), "probes": probes})
        done = (r >= 0).sum(axis=1) >= need
        dist[todo[done]], rowids[todo[done]] = d[done, :k], r[done, :k]
        short[todo[done]] = False
    return dist, rowids, short


def _rerank(source: FileVectors, q: np.ndarray, rowids: np.ndarray, k: int, metric: str):
    """Candidates re-ranked by exact float64 distances, as exact search ranks (the index's own are
    float32, or from compressed codes for IVF-PQ); NULL vectors (NaN distance) never rank."""
    vectors = source.vectors()
    found = rowids >= 0
    positions = np.maximum(_positions(source, np.where(found, rowids, source.rowids[0])), 0)
    exact = distance(q[:, None, :], vectors[positions], metric)
    return ranked(np.where(found & ~np.isnan(exact), exact, np.inf), rowids, k)


def _positions(source: FileVectors, rowids: np.ndarray) -> np.ndarray:
    """Where ``rowids`` sit in the file (-1 where absent)."""
    if source.positions is not None:
        return source.positions(rowids)
    if not len(source.rowids):
        return np.full(len(rowids), -1, dtype=np.int64)
    order = np.argsort(source.rowids, kind="stable")
    at = order[np.minimum(np.searchsorted(source.rowids, rowids, sorter=order), len(order) - 1)]
    return np.where(source.rowids[at] == rowids, at, -1)


def _describe(method: str, ef: int, probes: int, filtered: bool) -> str:
    knob = {
        "hnsw": f"ef_search={ef}",
        "cagra": f"ef_search={ef}",
        "ivfflat": f"probes={probes}",
        "ivf_pq": f"probes={probes}",
    }.get(method, "")
    return f"{method}({knob})" + (" with filter" if filtered else "")


def _check_dim(q: np.ndarray, dim: int) -> None:
    if q.shape[1] != dim:
        raise dimension_error(dim, q.shape[1])


def _merge(found_d: list[np.ndarray], found_r: list[np.ndarray], nq: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Global top-k of the per-file top-k, ties broken by rowid so results are deterministic."""
    if not found_d or k <= 0:
        return np.full((nq, max(k, 0)), np.inf), np.full((nq, max(k, 0)), -1, dtype=np.int64)
    if len(found_d) == 1 and found_d[0].shape[1] == k:  # one file's ranked top-k is the answer
        return found_d[0], found_r[0]
    return ranked(np.concatenate(found_d, axis=1), np.concatenate(found_r, axis=1), k)


@dataclass
class _Plan:
    """What topk did, for EXPLAIN."""

    exact_rows: int = 0
    exact_files: int = 0
    fallbacks: int = 0

    def __post_init__(self) -> None:
        self.index_uses: Counter[str] = Counter()

    def describe(self) -> str:
        parts = []
        if self.exact_files:
            parts.append(f"exact over {self.exact_rows} rows in {self.exact_files} file{'s' * (self.exact_files > 1)}")
        parts += [f"{how} in {n} file{'s' * (n > 1)}" for how, n in self.index_uses.items()]
        if self.fallbacks:
            parts.append(f"exact fallback for {self.fallbacks} short result lists")
        return "; ".join(parts) or "no rows"
