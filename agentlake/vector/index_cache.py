"""Decoded vectors and loaded indexes per immutable data file, kept within a memory budget.

Data files never change, so what is decoded from one (its vector matrix, its deletion mask, its
stored index) stays valid for every branch and query that reads the file.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

import numpy as np

from catalog import DataFile, Manifest, Repository
from catalog.objects import field_id

from .index import VECTOR_METHODS, load_index


def _vector_cache_bytes() -> int:
    """Two fifths of the machine's memory (at least 2 GiB): a 1M x 384 file needs 1.5 GiB for its
    vectors and as much for its HNSW index, and a budget below both evicts one per query."""
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        physical = 0
    return max(2 << 30, physical * 2 // 5)


VECTOR_CACHE_BYTES = _vector_cache_bytes()


def index_path(manifest: Manifest, index_name: str, entry: DataFile) -> str:
    return f"index/{manifest.table_id}/{index_name}/{entry.id}.idx"


class VectorCache:
    """Decoded vectors and loaded indexes per immutable data file, within a memory budget."""

    def __init__(self, budget: int = VECTOR_CACHE_BYTES) -> None:
        self.budget = budget
        self._items: OrderedDict[tuple, object] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple, build, size=lambda v: getattr(v, "nbytes", 1 << 20)):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = build()
        with self._lock:
            self._items[key] = value
            self._bytes += size(value)
            while self._bytes > self.budget and len(self._items) > 1:
                _, old = self._items.popitem(last=False)
                self._bytes -= size(old)
        return value


CACHE = VectorCache()


def file_vectors(repo: Repository, manifest: Manifest, entry: DataFile, column: str) -> np.ndarray:
    """The (rows x dim) float32 matrix of one vector column of one file, in file order."""
    fid = field_id(manifest.schema.field(column))
    stored = entry.columns.get(fid)

    def build() -> np.ndarray:
        if stored is None:
            return np.full((entry.rows, manifest.schema.field(column).type.list_size), np.nan, dtype=np.float32)
        array = repo.files.columns(entry, [stored]).column(stored).combine_chunks()
        dim = array.type.list_size
        values = array.values.to_numpy(zero_copy_only=False).astype(np.float32, copy=False)
        matrix = values.reshape(len(array), dim)
        if array.null_count:
            matrix = matrix.copy()
            matrix[np.asarray(array.is_null())] = np.nan
        return matrix

    return CACHE.get(("vectors", entry.id, stored), build)


def live_rows(repo: Repository, entry: DataFile) -> np.ndarray | None:
    """The file's deletion vector as a mask over its rows, computed once per deletion vector
    (not once per query: the membership test walks every row of the file)."""
    if not len(entry.deleted):
        return None
    deleted = np.asarray(entry.deleted, dtype=np.int64)
    return CACHE.get(("live", entry.id, deleted.tobytes()), lambda: ~np.isin(repo.files.rowids(entry), deleted))


def load_file_index(repo: Repository, manifest: Manifest, column: str, metric: str, entry: DataFile):
    for name, spec in vector_indexes(manifest).items():
        if spec["column"] != column or spec["metric"] != metric:
            continue
        path = index_path(manifest, name, entry)
        try:
            vectors = lambda: indexed_vectors(file_vectors(repo, manifest, entry, column))  # noqa: E731
            return CACHE.get(
                ("index", path),
                lambda: load_index(spec["method"], repo.storage.read(path), vectors),
                size=lambda _v: entry.rows * manifest.schema.field(column).type.list_size * 4,
            )
        except Exception:  # not built yet (asynchronous) or unreadable: search this file exactly
            continue
    return None


def vector_indexes(manifest: Manifest) -> dict[str, dict]:
    """The table's vector indexes by name (its B-tree indexes are catalog entries only)."""
    return {name: spec for name, spec in manifest.indexes.items() if spec.get("method") in VECTOR_METHODS}


def null_rows(vectors: np.ndarray) -> np.ndarray | None:
    """Which rows hold no vector (NULL, read as NaN), or None when all do: what an index leaves out."""
    nulls = np.isnan(vectors.sum(axis=1))
    return nulls if nulls.any() else None


def indexed_vectors(vectors: np.ndarray) -> np.ndarray:
    """The rows a file's index was built over, in its order (GPU indexes store no vectors of their own)."""
    nulls = null_rows(vectors)
    return vectors if nulls is None else vectors[~nulls]
