"""The per-data-file ANN index protocol, the method registry and the on-disk envelope.

Indexes belong to immutable data files, so they are built once, stored as bytes
beside the file and loaded by any branch. Backends are plug-ins chosen by method
name: FAISS on the CPU (``faiss_backend``); cuVS on the GPU (``gpu_backend``, imported
only when a GPU method is asked for). Every index labels its rows with the file's
``_rowid`` values and can restrict a search to an allowed subset of them.
"""

from __future__ import annotations

import json
import struct
from typing import Callable, Protocol, runtime_checkable

import numpy as np

from ..errors import NotSupportedError
from .metrics import check_metric

Progress = Callable[[int, int], None]
"""``progress(done, total)`` — called as an index build advances (``done`` reaches ``total``)."""

CPU_METHODS = ("hnsw", "ivfflat", "ivf_pq", "flat")
GPU_METHODS = ("cagra", "ivf_pq", "brute_force")
VECTOR_METHODS = frozenset(CPU_METHODS + GPU_METHODS)
_MAGIC = b"ALVX"
_VERSION = 1


@runtime_checkable
class VectorIndex(Protocol):
    """An ANN index over one data file's vectors, labelled by ``_rowid``."""

    method: str
    metric: str
    params: dict

    def build(self, vectors: np.ndarray, rowids: np.ndarray, progress: Progress | None = None) -> None:
        """Index ``vectors`` [n, d] float32, row i labelled ``rowids[i]``."""

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None, params: dict | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(distances [q, k] float64, rowids [q, k] int64); missing results are (inf, -1).

        ``allowed``: rowids that may be returned, or a boolean mask over the build's rows.
        ``params``: ``ef_search`` (HNSW/CAGRA), ``probes`` (IVF) for this search only.
        """

    def to_bytes(self) -> bytes:
        """A self-describing serialization that :func:`load_index` reads back."""

    @property
    def rowids(self) -> np.ndarray:
        """The labels, in build order."""

    @property
    def dim(self) -> int:
        """The vectors' dimension."""


def create_index(method: str, metric: str, params: dict | None = None) -> VectorIndex:
    """An empty index of ``method`` (pgvector's ``USING``) for ``metric`` (l2, cosine, ip).

    ``params`` are the ``WITH (...)`` options; ``device='gpu'`` selects cuVS for
    ``ivf_pq`` and ``brute_force``. L1 has no index: it is always searched exactly.
    """
    method = method.lower()
    params = dict(params or {})
    if check_metric(metric) == "l1":
        raise NotSupportedError("vector_l1_ops has no index method; L1 queries are searched exactly")
    if method == "cagra" or (method in GPU_METHODS and str(params.get("device", "cpu")).lower() == "gpu"):
        from .gpu_backend import CuvsIndex

        return CuvsIndex(method, metric, params)
    if method in CPU_METHODS:
        from .faiss_backend import FaissIndex

        return FaissIndex(method, metric, params)
    raise NotSupportedError(
        f'access method "{method}" does not exist; use hnsw, ivfflat, ivf_pq, flat or cagra', sqlstate="42704"
    )


def load_index(
    method: str | None, data: bytes, vectors: np.ndarray | Callable[[], np.ndarray] | None = None
) -> VectorIndex:
    """Read an index written by ``to_bytes``; ``method`` (if given) must match what was stored.

    ``vectors`` (or a loader of them): the rows the index was built over, in build order.
    GPU indexes store none of their own and need them; FAISS indexes carry theirs."""
    header, _ = unpack(data)
    if method is not None and header["method"] != method.lower():
        raise NotSupportedError(f"stored index is {header['method']}, not {method}")
    if header["backend"] == "cuvs":
        from .gpu_backend import CuvsIndex

        if vectors is None:
            raise ValueError("a cuVS index is stored without its vectors: pass the data file's")
        return CuvsIndex.from_bytes(data, vectors)
    from .faiss_backend import FaissIndex

    return FaissIndex.from_bytes(data)


def pack(header: dict, parts: list[bytes]) -> bytes:
    """Envelope: magic, version, JSON header (with each part's length), then the parts (any
    contiguous buffers: arrays are written without a copy of their own)."""
    parts = [memoryview(part).cast("B") for part in parts]
    meta = json.dumps({**header, "parts": [len(p) for p in parts]}).encode()
    return b"".join([_MAGIC, struct.pack("<BI", _VERSION, len(meta)), meta, *parts])


def unpack(data: bytes) -> tuple[dict, list[memoryview]]:
    view = memoryview(data)
    if bytes(view[:4]) != _MAGIC:
        raise NotSupportedError("not an agentlake vector index")
    version, size = struct.unpack_from("<BI", view, 4)
    if version != _VERSION:
        raise NotSupportedError(f"vector index format {version} is not supported (this build reads {_VERSION})")
    start = 4 + struct.calcsize("<BI")
    header = json.loads(bytes(view[start : start + size]))
    parts, offset = [], start + size
    for length in header["parts"]:
        parts.append(view[offset : offset + length])
        offset += length
    return header, parts


def allowed_mask(rowids: np.ndarray, allowed: np.ndarray | None) -> np.ndarray | None:
    """``allowed`` as a boolean mask over ``rowids`` (it may already be one)."""
    if allowed is None:
        return None
    allowed = np.asarray(allowed)
    if allowed.dtype == bool:
        if len(allowed) != len(rowids):
            raise ValueError(f"allowed mask has {len(allowed)} entries for {len(rowids)} rows")
        return allowed
    return np.isin(rowids, allowed.astype(np.int64, copy=False))


def finish(
    raw_distances: np.ndarray, positions: np.ndarray, rowids: np.ndarray, metric: str, squared_l2: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Backend results (positions, raw scores) -> pgvector distances and rowids, padded with (inf, -1)."""
    found = positions >= 0
    raw = raw_distances.astype(np.float64)
    if metric == "l2":
        dist = np.sqrt(np.maximum(raw, 0.0)) if squared_l2 else raw
    elif metric == "cosine":
        dist = 1.0 - raw
    else:
        dist = -raw
    labels = np.where(found, rowids[np.where(found, positions, 0)], -1).astype(np.int64)
    return np.where(found, dist, np.inf), labels
