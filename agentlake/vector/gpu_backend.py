"""cuVS indexes on the GPU: CAGRA, IVF-PQ, and brute force (exact, CuPy) on CuPy arrays.

Imported only when a GPU method is asked for; cupy and cuvs are imported inside the
functions that need them, so *loading* a CAGRA index works on a CPU-only machine:
its graph becomes a FAISS ``IndexHNSWCagra`` (built the first time a CPU search needs
it), searched with the same rowid bitmap filters.

A stored index holds only its rowids and what cuVS computed (CAGRA's graph, IVF-PQ's
codes), not the vectors: those are the data file's, handed back by whoever loads it,
so a 1M x 384 file does not carry a second 1.5 GB copy of itself. CAGRA's L2 distances
are exact float32 sums of squared differences and are returned as they are, like FAISS's;
every other result's distances are recomputed on the GPU in float64 from those vectors,
so they follow pgvector's definitions whatever convention a cuVS kernel uses.
"""

from __future__ import annotations

import atexit
import functools
import os
import tempfile
import weakref
from typing import Callable

import numpy as np

from ..errors import NotSupportedError
from .exact import ranked
from .faiss_backend import FaissIndex, hnsw_from_graph
from .index import Progress, allowed_mask, finish, pack, unpack
from .metrics import distance, normalized

_DEFAULTS = {
    "cagra": {"graph_degree": 64, "intermediate_graph_degree": 128},
    "ivf_pq": {"lists": 1024, "pq_bits": 8, "pq_dim": 0},
    "brute_force": {},
}
_SCORE_BYTES = 1 << 30  # a brute-force score matrix larger than this is computed a slice of queries at a time


@functools.cache
def cuvs_gpu_available() -> bool:
    """True when CuPy sees a CUDA device and cuVS imports."""
    try:
        import cupy
        import cuvs  # noqa: F401

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001 - any import or driver failure means "no GPU"
        return False


def _require_gpu(what: str) -> None:
    if not cuvs_gpu_available():
        raise NotSupportedError(f"{what} needs an NVIDIA GPU with CuPy and cuVS (pip install 'agentlake[gpu-cu13]')")


_LIVE: "weakref.WeakSet[CuvsIndex]" = weakref.WeakSet()


@atexit.register
def _release_device_objects() -> None:
    """Free cuVS indexes while cuVS can still free them: left to interpreter teardown, their
    destructors run after cuVS's own module is gone and print errors on the way out."""
    for index in list(_LIVE):
        index._gpu, index._keep_alive, index._on_device = None, (), None


class CuvsIndex:
    """A GPU index over one file's vectors (as indexed: unit rows for cosine)."""

    backend = "cuvs"

    def __init__(self, method: str, metric: str, params: dict | None = None) -> None:
        self.method = method
        self.metric = metric
        self.params = {**_DEFAULTS[method], **{k: v for k, v in (params or {}).items() if k != "device"}}
        self._rowids = np.empty(0, dtype=np.int64)
        self._vectors = np.empty((0, 0), dtype=np.float32)
        self._on_device = None  # the vectors as a CuPy matrix, uploaded once
        self._gpu = None  # the cuVS index, rebuilt lazily after a load
        self._keep_alive: tuple = ()  # device arrays a cuVS index refers to without owning them
        self._graph: np.ndarray | None = None
        self._cpu: FaissIndex | None = None
        self._payload: bytes | None = None  # IVF-PQ's cuVS serialization
        _LIVE.add(self)

    @property
    def rowids(self) -> np.ndarray:
        return self._rowids

    @property
    def dim(self) -> int:
        return int(self._vectors.shape[1])

    @property
    def _cuvs_metric(self) -> str:
        return "sqeuclidean" if self.metric == "l2" else "inner_product"

    def _prepare(self, vectors: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(vectors, dtype=np.float32)
        return normalized(x) if self.metric == "cosine" else x

    def build(self, vectors: np.ndarray, rowids: np.ndarray, progress: Progress | None = None) -> None:
        _require_gpu(f"USING {self.method}")
        self._vectors = self._prepare(vectors)
        self._rowids = np.ascontiguousarray(rowids, dtype=np.int64)
        if progress:
            progress(0, 1)
        device = self._device_vectors()
        if self.method == "cagra":
            from cuvs.neighbors import cagra

            degree = int(self.params["graph_degree"])
            self._gpu = cagra.build(
                cagra.IndexParams(
                    metric=self._cuvs_metric,
                    graph_degree=degree,
                    intermediate_graph_degree=max(degree, int(self.params["intermediate_graph_degree"])),
                ),
                device,
            )
            self._keep_alive = (device,)
            self._graph = np.ascontiguousarray(_to_host(self._gpu.graph), dtype=np.uint32)
        elif self.method == "ivf_pq":
            from cuvs.neighbors import ivf_pq

            lists = max(1, min(int(self.params["lists"]), len(self._vectors) // 39))
            self.params["lists"] = lists
            self._gpu = ivf_pq.build(
                ivf_pq.IndexParams(
                    n_lists=lists,
                    metric=self._cuvs_metric,
                    pq_bits=int(self.params["pq_bits"]),
                    pq_dim=int(self.params["pq_dim"]),
                ),
                device,
            )
            self._payload = _ivf_pq_bytes(self._gpu)
        if progress:
            progress(1, 1)

    @classmethod
    def from_graph(
        cls, metric: str, vectors: np.ndarray, graph: np.ndarray, rowids: np.ndarray, params: dict | None = None
    ) -> "CuvsIndex":
        """A CAGRA index from a graph built elsewhere (no GPU needed until a GPU search)."""
        index = cls("cagra", metric, {**(params or {}), "graph_degree": int(graph.shape[1])})
        index._vectors = index._prepare(vectors)
        index._rowids = np.ascontiguousarray(rowids, dtype=np.int64)
        index._graph = np.ascontiguousarray(graph, dtype=np.uint32)
        return index

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None, params: dict | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        params = params or {}
        if self.method == "cagra" and not cuvs_gpu_available():
            return self._cpu_twin().search(queries, k, allowed, params)
        _require_gpu(f"searching a {self.method} index")
        import cupy as cp

        q = cp.asarray(self._prepare(np.atleast_2d(queries)))
        mask = allowed_mask(self._rowids, allowed)
        raw, found = self._gpu_search(q, k, mask, params)
        if self.method == "cagra" and self.metric == "l2":
            return self._found(raw, found, mask, k)
        return self._rerank(q, found, mask, k)

    def _cpu_twin(self) -> FaissIndex:
        """The graph as a FAISS HNSW, for machines without a GPU (built on first use)."""
        if self._cpu is None:
            self._cpu = FaissIndex.wrap(
                "cagra",
                self.metric,
                self.params,
                hnsw_from_graph(self._vectors, self._graph, self.metric),
                self._rowids,
            )
        return self._cpu

    def _device_vectors(self):
        if self._on_device is None:
            import cupy as cp

            self._on_device = cp.asarray(self._vectors)
        return self._on_device

    def _device_index(self):
        """The cuVS index, rebuilt from the stored graph or payload after a load."""
        if self._gpu is not None or self.method == "brute_force":
            return self._gpu
        import cupy as cp

        if self.method == "cagra":
            from cuvs.neighbors import cagra

            graph, vectors = cp.asarray(self._graph), self._device_vectors()
            self._gpu = cagra.from_graph(graph, vectors, metric=self._cuvs_metric)
            self._keep_alive = (graph, vectors)
        else:
            from cuvs.neighbors import ivf_pq

            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "ivf_pq.bin")
                with open(path, "wb") as f:
                    f.write(self._payload)
                self._gpu = ivf_pq.load(path)
        return self._gpu

    def _gpu_search(self, queries, k: int, mask: np.ndarray | None, params: dict):
        """(raw distances or None, candidate positions) [q, fetch] on the device, as the kernel left
        them: a position outside the index means none."""
        import cupy as cp

        index = self._device_index()
        if self.method == "brute_force":
            return None, _brute_force(self._device_vectors(), queries, k, mask, self.metric)
        if self.method == "cagra":
            from cuvs.neighbors import cagra, filters

            prefilter = None
            if mask is not None:
                words = np.packbits(mask, bitorder="little")
                words = np.pad(words, (0, (-len(words)) % 4)).view(np.uint32)
                prefilter = filters.from_bitset(cp.asarray(words))
            itopk = max(int(params.get("ef_search") or 64), k)
            raw, found = cagra.search(cagra.SearchParams(itopk_size=itopk), index, queries, k, filter=prefilter)
        else:
            from cuvs.neighbors import ivf_pq

            fetch = k if mask is None else min(len(self._rowids), k * 4)
            probes = min(int(params.get("probes") or 20), int(self.params["lists"]))
            raw, found = ivf_pq.search(ivf_pq.SearchParams(n_probes=probes), index, queries, fetch)
        return cp.asarray(raw), cp.asarray(found)

    def _found(self, raw, found, mask: np.ndarray | None, k: int):
        """CAGRA's own L2 results, as FAISS's are taken on the CPU: its kernel sums squared differences
        in float32, so the distances need no second pass over the vectors, only bringing home."""
        positions = self._in_index(found.get().astype(np.int64), np)
        if mask is None:
            return finish(raw.get(), positions, self._rowids, self.metric)
        positions = np.where(mask[np.maximum(positions, 0)], positions, -1)
        return ranked(*finish(raw.get(), positions, self._rowids, self.metric), k)

    def _rerank(self, q, found, mask: np.ndarray | None, k: int):
        """Exact pgvector distances of the candidates, computed where they are (the GPU): IVF-PQ's
        come from compressed codes, brute force's are ranking keys, and an inner product's sign is
        a kernel's convention. Then, on the host, filtered rows dropped, ties ordered by rowid,
        padded to k."""
        import cupy as cp

        positions = self._in_index(found.astype(cp.int64), cp)
        valid = positions >= 0
        safe = cp.maximum(positions, 0)
        if mask is not None:
            valid &= cp.asarray(mask)[safe]
        exact = distance(q[:, None, :], self._device_vectors()[safe], self.metric, xp=cp)
        dist = cp.where(valid & ~cp.isnan(exact), exact, cp.inf).get()
        return ranked(dist, self._rowids[safe.get()], k)

    def _in_index(self, positions, xp):
        """-1 for every position a kernel used to say "none" (negative, or past the last row)."""
        return xp.where((positions < 0) | (positions >= len(self._rowids)), -1, positions)

    def to_bytes(self) -> bytes:
        header = {
            "backend": self.backend,
            "method": self.method,
            "metric": self.metric,
            "params": self.params,
            "dim": self.dim,
        }
        parts = [self._rowids.data]
        if self.method == "cagra":
            parts.append(self._graph.data)
        elif self.method == "ivf_pq":
            parts.append(self._payload)
        return pack(header, parts)

    @classmethod
    def from_bytes(cls, data: bytes, vectors: np.ndarray | Callable[[], np.ndarray]) -> "CuvsIndex":
        """Read ``to_bytes``'s output back; ``vectors`` (or a loader of them) are the rows it indexed,
        in build order: the data file's non-NULL vectors."""
        header, parts = unpack(data)
        rowids = np.frombuffer(parts[0], dtype=np.int64).copy()
        matrix = np.asarray(vectors() if callable(vectors) else vectors)
        if matrix.shape != (len(rowids), header["dim"]):
            raise ValueError(
                f"the index covers {len(rowids)} vectors of dimension {header['dim']}, "
                f"but {matrix.shape[0]} of dimension {matrix.shape[1]} were given"
            )
        if header["method"] == "cagra":
            graph = np.frombuffer(parts[1], dtype=np.uint32).reshape(len(rowids), -1)
            return cls.from_graph(header["metric"], matrix, graph, rowids, header["params"])
        index = cls(header["method"], header["metric"], header["params"])
        index._rowids, index._vectors = rowids, index._prepare(matrix)
        if header["method"] == "ivf_pq":
            index._payload = bytes(parts[1])
        return index


def _to_host(tensor) -> np.ndarray:
    if hasattr(tensor, "copy_to_host"):
        return tensor.copy_to_host()
    import cupy as cp

    return cp.asarray(tensor).get()


def _ivf_pq_bytes(index) -> bytes:
    from cuvs.neighbors import ivf_pq

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ivf_pq.bin")
        ivf_pq.save(path, index)
        with open(path, "rb") as f:
            return f.read()


def _brute_force(vectors, queries, k: int, mask: np.ndarray | None, metric: str):
    """The k best-scoring positions per query on the GPU (float32 ranking keys, as exact search
    ranks before its float64 re-rank); filtered rows and NULL vectors never win; -1 pads."""
    import cupy as cp

    n = vectors.shape[0]
    kk = min(k, n)
    allowed = None if mask is None else cp.asarray(mask)[None, :]
    squares = (vectors * vectors).sum(axis=1)[None, :]
    step = max(1, _SCORE_BYTES // (4 * max(1, n) * (vectors.shape[1] if metric == "l1" else 1)))
    out = []
    for start in range(0, len(queries), step):
        q = queries[start : start + step]
        if metric == "l2":
            scores = squares - 2.0 * (q @ vectors.T)
        elif metric == "l1":
            scores = cp.abs(q[:, None, :] - vectors[None, :, :]).sum(axis=2)
        elif metric == "cosine":
            scores = -(q @ vectors.T) / cp.sqrt(squares)
        else:
            scores = -(q @ vectors.T)
        scores = cp.where(cp.isnan(scores), cp.inf, scores)
        if allowed is not None:
            scores = cp.where(allowed, scores, cp.inf)
        top = cp.argpartition(scores, kk - 1, axis=1)[:, :kk] if kk < n else cp.broadcast_to(cp.arange(n), scores.shape)
        out.append(cp.where(cp.isinf(cp.take_along_axis(scores, top, 1)), -1, top))
    return cp.concatenate(out).astype(cp.int64)


def exact_candidates(
    queries: np.ndarray, vectors: np.ndarray, rows: np.ndarray | None, keep: int, metric: str
) -> np.ndarray:
    """Exact search's candidate positions [q, keep] (-1 pads), scored on the GPU; the caller re-ranks."""
    import cupy as cp

    chosen = vectors if rows is None else vectors[rows]
    found = _brute_force(cp.asarray(chosen, dtype=cp.float32), cp.asarray(queries), keep, None, metric).get()
    return found if rows is None else np.where(found >= 0, rows[np.maximum(found, 0)], -1)
