"""FAISS indexes on the CPU: HNSW, IVF-Flat, IVF-PQ and flat.

FAISS labels rows by their position in the build; the index keeps the ``_rowid`` of
each position beside it. A filter then becomes a bitmap over positions
(``IDSelectorBitmap``), one bit test per candidate, instead of a hash lookup of
every candidate's rowid.
"""

from __future__ import annotations

import math

import faiss
import numpy as np

from .index import Progress, allowed_mask, finish, pack, unpack
from .metrics import normalized

DEFAULTS = {
    "hnsw": {"m": 16, "ef_construction": 64},
    "ivfflat": {"lists": 100},
    "ivf_pq": {"lists": 100, "nbits": 8},
    "flat": {},
}
_MIN_POINTS_PER_LIST = 39  # FAISS's k-means warns (and clusters poorly) below this


class FaissIndex:
    """One FAISS index and the rowid of each of its rows."""

    backend = "faiss"

    def __init__(self, method: str, metric: str, params: dict | None = None) -> None:
        self.method = method
        self.metric = metric
        self.params = {**DEFAULTS[method], **{k: v for k, v in (params or {}).items() if k != "device"}}
        self._index: faiss.Index | None = None
        self._rowids = np.empty(0, dtype=np.int64)

    @property
    def rowids(self) -> np.ndarray:
        return self._rowids

    @property
    def exact_distances(self) -> bool:
        """False for IVF-PQ, whose distances come from compressed codes (the caller re-ranks)."""
        return self.method != "ivf_pq"

    @property
    def dim(self) -> int:
        return 0 if self._index is None else int(self._index.d)

    @property
    def _faiss_metric(self) -> int:
        return faiss.METRIC_L2 if self.metric == "l2" else faiss.METRIC_INNER_PRODUCT

    def _prepare(self, x: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=np.float32)
        return normalized(x) if self.metric == "cosine" else x

    def _empty(self, n: int, d: int) -> faiss.Index:
        if self.method == "hnsw":
            index = faiss.IndexHNSWFlat(d, int(self.params["m"]), self._faiss_metric)
            index.hnsw.efConstruction = int(self.params["ef_construction"])
            return index
        if self.method == "flat":
            return faiss.IndexFlat(d, self._faiss_metric)
        lists = max(1, min(int(self.params["lists"]), n // _MIN_POINTS_PER_LIST))
        self.params["lists"] = lists
        quantizer = faiss.IndexFlat(d, self._faiss_metric)
        if self.method == "ivfflat":
            return faiss.IndexIVFFlat(quantizer, d, lists, self._faiss_metric)
        nbits = int(self.params["nbits"])
        subquantizers = int(self.params.get("m") or _subquantizers(d))
        if d % subquantizers:
            raise ValueError(f"ivf_pq m={subquantizers} must divide the dimension {d}")
        self.params["m"] = subquantizers
        index = faiss.IndexIVFPQ(quantizer, d, lists, subquantizers, nbits, self._faiss_metric)
        index.cp.min_points_per_centroid = 1  # small files still get an index (the caller re-ranks)
        return index

    def build(self, vectors: np.ndarray, rowids: np.ndarray, progress: Progress | None = None) -> None:
        """Train (IVF), then add in slices so that ``progress`` sees the build advance."""
        x = self._prepare(vectors)
        n, d = x.shape
        index = self._empty(n, d)
        steps = 1 if index.is_trained else 2
        total = n * steps
        if not index.is_trained:
            index.train(x)
            if progress:
                progress(n, total)
        done = total - n
        chunk = max(1024, math.ceil(n / 20))
        for start in range(0, n, chunk):
            index.add(x[start : start + chunk])
            done += min(chunk, n - start)
            if progress:
                progress(done, total)
        self._index = index
        self._rowids = np.ascontiguousarray(rowids, dtype=np.int64)

    def _search_parameters(self, params: dict, selector) -> faiss.SearchParameters:
        if self.method in ("hnsw", "cagra"):
            ef = int(params.get("ef_search") or 40)
            return faiss.SearchParametersHNSW(sel=selector, efSearch=ef)
        if self.method in ("ivfflat", "ivf_pq"):
            probes = min(int(params.get("probes") or 1), self._index.nlist)
            return faiss.SearchParametersIVF(sel=selector, nprobe=probes)
        return faiss.SearchParameters(sel=selector)

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None, params: dict | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        return self._search(self._index, queries, k, allowed, lambda sel: self._search_parameters(params or {}, sel))

    def search_stored(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Exact search over the uncompressed vectors an HNSW or flat index keeps (None for other
        methods). A filter is read as a bitmap, so the rows it keeps are scanned where they lie
        instead of being copied out first."""
        if self.method not in ("hnsw", "cagra", "flat") or self._index is None:
            return None
        flat = self._index if self.method == "flat" else faiss.downcast_index(self._index.storage)
        return self._search(flat, queries, k, allowed, lambda sel: faiss.SearchParameters(sel=sel))

    def _search(
        self, index: faiss.Index, queries: np.ndarray, k: int, allowed: np.ndarray | None, parameters
    ) -> tuple[np.ndarray, np.ndarray]:
        q = self._prepare(np.atleast_2d(queries))
        if index is None or index.ntotal == 0 or k <= 0:
            return np.full((len(q), max(k, 0)), np.inf), np.full((len(q), max(k, 0)), -1, dtype=np.int64)
        mask = allowed_mask(self._rowids, allowed)
        bits = None if mask is None else np.packbits(mask, bitorder="little")
        selector = None if bits is None else faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(bits))
        raw, positions = index.search(q, k, params=parameters(selector))
        return finish(raw, positions, self._rowids, self.metric)

    def to_bytes(self) -> bytes:
        header = {"backend": self.backend, "method": self.method, "metric": self.metric, "params": self.params}
        return pack(header, [self._rowids, faiss.serialize_index(self._index)])

    @classmethod
    def wrap(cls, method: str, metric: str, params: dict, index: faiss.Index, rowids: np.ndarray) -> "FaissIndex":
        """An index around an already built FAISS index (e.g. a CAGRA graph converted for the CPU)."""
        out = cls.__new__(cls)
        out.method, out.metric, out.params = method, metric, dict(params)
        out._index, out._rowids = index, np.ascontiguousarray(rowids, dtype=np.int64)
        return out

    @classmethod
    def from_bytes(cls, data: bytes) -> "FaissIndex":
        header, (rowids, payload) = unpack(data)
        index = cls(header["method"], header["metric"], header["params"])
        index._rowids = np.frombuffer(rowids, dtype=np.int64).copy()
        index._index = faiss.deserialize_index(np.frombuffer(payload, dtype=np.uint8).copy())
        return index


def hnsw_from_graph(vectors: np.ndarray, graph: np.ndarray, metric: str) -> faiss.Index:
    """A CPU-searchable FAISS HNSW whose only layer is a given fixed-degree graph (CAGRA's).

    This is what lets a GPU-built CAGRA index serve queries on a machine without a GPU:
    FAISS's ``IndexHNSWCagra`` searches the base layer from random entry points, and
    honours IDSelectors like any HNSW.
    """
    n, degree = graph.shape
    if degree % 2:
        raise ValueError(f"graph degree {degree} must be even")
    x = np.ascontiguousarray(normalized(vectors) if metric == "cosine" else vectors, dtype=np.float32)
    index = faiss.IndexHNSWCagra(
        x.shape[1], degree // 2, faiss.METRIC_L2 if metric == "l2" else faiss.METRIC_INNER_PRODUCT
    )
    index.base_level_only = True
    index.storage.add(x)
    index.ntotal = n
    hnsw = index.hnsw
    faiss.copy_array_to_vector(np.ones(n, dtype=np.int32), hnsw.levels)
    faiss.copy_array_to_vector(np.arange(n + 1, dtype=np.uint64) * degree, hnsw.offsets)
    faiss.copy_array_to_vector(np.ascontiguousarray(graph, dtype=np.int32).reshape(-1), hnsw.neighbors)
    hnsw.entry_point, hnsw.max_level = 0, 0
    return index


def _subquantizers(d: int) -> int:
    """The largest divisor of ``d`` giving sub-vectors of at least 4 dimensions (16 for d=64, 96 for d=384)."""
    return next(m for m in range(max(1, d // 4), 0, -1) if d % m == 0)
