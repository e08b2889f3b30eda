"""cuVS indexes on the GPU: CAGRA, IVF-PQ, and brute force (exact, CuPy) on CuPy arrays.

Imported only when a GPU method is asked for; cupy and cuvs are imported inside the
functions that need them, so *loading* a CAGRA index works on a CPU-only machine:
every CAGRA index carries its graph as a FAISS ``IndexHNSWCagra`` twin, searched
on the CPU when no GPU is present (and with the same rowid bitmap filters).
Distances are recomputed from the stored vectors for the k results, so they follow
pgvector's definitions whatever convention a cuVS kernel uses.
"""
from __future__ import annotations

import functools
import os
import tempfile

import numpy as np

from ..errors import NotSupportedError
from .faiss_backend import FaissIndex, hnsw_from_graph
from .index import Progress, allowed_mask, pack, unpack
from .metrics import distance, normalized

_DEFAULTS = {
    "cagra": {"graph_degree": 64, "intermediate_graph_degree": 128},
    "ivf_pq": {"lists": 1024, "pq_bits": 8, "pq_dim": 0},
    "brute_force": {},
}


@functools.cache
def gpu_available() -> bool:
    """True when CuPy sees a CUDA device and cuVS imports."""
    try:
        import cupy
        import cuvs  # noqa: F401

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001 - any import or driver failure means "no GPU"
        return False


def _require_gpu(what: str) -> None:
    if not gpu_available():
        raise NotSupportedError(f"{what} needs an NVIDIA GPU with CuPy and cuVS (pip install 'agentlake[gpu-cu12]')")


class CuvsIndex:
    """A GPU index over one file; CAGRA also keeps a CPU twin so any machine can search it."""

    backend = "cuvs"

    def __init__(self, method: str, metric: str, params: dict | None = None) -> None:
        self.method = method
        self.metric = metric
        self.params = {**_DEFAULTS[method], **{k: v for k, v in (params or {}).items() if k != "device"}}
        self._rowids = np.empty(0, dtype=np.int64)
        self._vectors = np.empty((0, 0), dtype=np.float32)  # as indexed (unit rows for cosine)
        self._gpu = None  # the cuVS index (or the device matrix for brute force), built lazily after a load
        self._graph: np.ndarray | None = None
        self._cpu: FaissIndex | None = None
        self._payload: bytes | None = None  # cuVS serialization (IVF-PQ has no CPU twin)

    @property
    def rowids(self) -> np.ndarray:
        return self._rowids

    @property
    def dim(self) -> int:
        return int(self._vectors.shape[1])

    @property
    def _cuvs_metric(self) -> str:
        return "sqeuclidean" if self.metric == "l2" else "inner_product"

    def build(self, vectors: np.ndarray, rowids: np.ndarray, progress: Progress | None = None) -> None:
        _require_gpu(f"USING {self.method}")
        import cupy as cp

        x = np.ascontiguousarray(vectors, dtype=np.float32)
        self._vectors = normalized(x) if self.metric == "cosine" else x
        self._rowids = np.ascontiguousarray(rowids, dtype=np.int64)
        if progress:
            progress(0, 2)
        device = cp.asarray(self._vectors)
        if self.method == "cagra":
            from cuvs.neighbors import cagra

            degree = int(self.params["graph_degree"])
            built = cagra.build(cagra.IndexParams(
                metric=self._cuvs_metric, graph_degree=degree,
                intermediate_graph_degree=max(degree, int(self.params["intermediate_graph_degree"]))), device)
            self._gpu = built
            self._graph = _to_host(built.graph).astype(np.uint32)
            if progress:
                progress(1, 2)
            self._cpu = FaissIndex.wrap("cagra", self.metric, self.params,
                                        hnsw_from_graph(self._vectors, self._graph, self.metric), self._rowids)
        elif self.method == "ivf_pq":
            from cuvs.neighbors import ivf_pq

            lists = max(1, min(int(self.params["lists"]), len(x) // 39))
            self.params["lists"] = lists
            self._gpu = ivf_pq.build(ivf_pq.IndexParams(
                n_lists=lists, metric=self._cuvs_metric, pq_bits=int(self.params["pq_bits"]),
                pq_dim=int(self.params["pq_dim"])), device)
        else:
            self._gpu = device
        if progress:
            progress(2, 2)

    @classmethod
    def from_graph(cls, metric: str, vectors: np.ndarray, graph: np.ndarray, rowids: np.ndarray,
                   params: dict | None = None) -> "CuvsIndex":
        """A CAGRA index from a graph built elsewhere (no GPU needed until a GPU search)."""
        index = cls("cagra", metric, {**(params or {}), "graph_degree": int(graph.shape[1])})
        x = np.ascontiguousarray(vectors, dtype=np.float32)
        index._vectors = normalized(x) if metric == "cosine" else x
        index._rowids = np.ascontiguousarray(rowids, dtype=np.int64)
        index._graph = np.ascontiguousarray(graph, dtype=np.uint32)
        index._cpu = FaissIndex.wrap("cagra", metric, index.params,
                                     hnsw_from_graph(index._vectors, index._graph, metric), index._rowids)
        return index

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None,
               params: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
        params = params or {}
        q = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        if self.method == "cagra" and not gpu_available():
            return self._cpu.search(q, k, allowed, params)
        _require_gpu(f"searching a {self.method} index")
        mask = allowed_mask(self._rowids, allowed)
        positions = self._gpu_search(normalized(q) if self.metric == "cosine" else q, k, mask, params)
        return self._finish(q, positions, mask, k)

    def _device_index(self):
        """The cuVS index, rebuilt from the stored graph or payload after a load."""
        if self._gpu is not None:
            return self._gpu
        import cupy as cp

        if self.method == "cagra":
            from cuvs.neighbors import cagra

            self._gpu = cagra.from_graph(cp.asarray(self._graph), cp.asarray(self._vectors), metric=self._cuvs_metric)
        elif self.method == "ivf_pq":
            from cuvs.neighbors import ivf_pq

            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "ivf_pq.bin")
                with open(path, "wb") as f:
                    f.write(self._payload)
                self._gpu = ivf_pq.load(path)
        else:
            self._gpu = cp.asarray(self._vectors)
        return self._gpu

    def _gpu_search(self, q: np.ndarray, k: int, mask: np.ndarray | None, params: dict) -> np.ndarray:
        import cupy as cp

        index = self._device_index()
        queries = cp.asarray(q)
        n = len(self._rowids)
        if self.method == "brute_force":
            return _brute_force(index, queries, k, mask, self.metric)
        if self.method == "cagra":
            from cuvs.neighbors import cagra, filters

            prefilter = None
            if mask is not None:
                words = np.packbits(mask, bitorder="little")
                words = np.pad(words, (0, (-len(words)) % 4)).view(np.uint32)
                prefilter = filters.from_bitset(cp.asarray(words))
            itopk = max(int(params.get("ef_search") or 64), k)
            _, found = cagra.search(cagra.SearchParams(itopk_size=itopk), index, queries, k, filter=prefilter)
            positions = cp.asarray(found).get().astype(np.int64)
        else:
            from cuvs.neighbors import ivf_pq

            fetch = k if mask is None else min(n, k * 4)
            probes = min(int(params.get("probes") or 20), int(self.params["lists"]))
            _, found = ivf_pq.search(ivf_pq.SearchParams(n_probes=probes), index, queries, fetch)
            positions = cp.asarray(found).get().astype(np.int64)
        positions[(positions < 0) | (positions >= n)] = -1
        return positions

    def _finish(self, q: np.ndarray, positions: np.ndarray, mask: np.ndarray | None, k: int):
        """Drop filtered rows, compute exact pgvector distances, order, pad to k."""
        valid = positions >= 0
        if mask is not None:
            valid &= mask[np.maximum(positions, 0)]
        safe = np.maximum(positions, 0)
        dist = np.where(valid, distance(q[:, None, :], self._vectors[safe], self.metric), np.inf)
        order = np.argsort(dist, axis=1, kind="stable")[:, :k]
        dist = np.take_along_axis(dist, order, 1)
        labels = np.where(np.isinf(dist), -1, self._rowids[np.take_along_axis(safe, order, 1)])
        if dist.shape[1] < k:
            dist = np.pad(dist, ((0, 0), (0, k - dist.shape[1])), constant_values=np.inf)
            labels = np.pad(labels, ((0, 0), (0, k - labels.shape[1])), constant_values=-1)
        return dist, labels.astype(np.int64)

    def to_bytes(self) -> bytes:
        header = {"backend": self.backend, "method": self.method, "metric": self.metric, "params": self.params,
                  "dim": self.dim}
        parts = [self._rowids.tobytes(), self._vectors.tobytes()]
        if self.method == "cagra":
            parts.append(self._graph.tobytes())
        elif self.method == "ivf_pq":
            parts.append(self._payload if self._payload is not None else _ivf_pq_bytes(self._gpu))
        return pack(header, parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> "CuvsIndex":
        header, parts = unpack(data)
        rowids = np.frombuffer(parts[0], dtype=np.int64).copy()
        vectors = np.frombuffer(parts[1], dtype=np.float32).reshape(len(rowids), header["dim"]).copy()
        if header["method"] == "cagra":
            graph = np.frombuffer(parts[2], dtype=np.uint32).reshape(len(rowids), -1)
            return cls.from_graph(header["metric"], vectors, graph, rowids, header["params"])
        index = cls(header["method"], header["metric"], header["params"])
        index._rowids, index._vectors = rowids, vectors
        if header["method"] == "ivf_pq":
            index._payload = bytes(parts[2])
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


def _brute_force(vectors, queries, k: int, mask: np.ndarray | None, metric: str) -> np.ndarray:
    """Exact top-k positions on the GPU: one matrix product, filtered rows pushed to +inf."""
    import cupy as cp

    if metric == "l2":
        scores = (vectors * vectors).sum(axis=1)[None, :] - 2.0 * queries @ vectors.T
    elif metric == "l1":
        scores = cp.abs(queries[:, None, :] - vectors[None, :, :]).sum(axis=2)
    else:
        scores = -(queries @ vectors.T)
    if mask is not None:
        scores = cp.where(cp.asarray(mask)[None, :], scores, cp.inf)
    kk = min(k, scores.shape[1])
    top = cp.argpartition(scores, kk - 1, axis=1)[:, :kk]
    top = cp.where(cp.isinf(cp.take_along_axis(scores, top, 1)), -1, top)
    return top.get().astype(np.int64)
