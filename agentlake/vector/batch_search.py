"""``Connection.search``: many vector queries at once, for evaluation jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pyarrow as pa

from ..errors import DataError, ProgrammingError
from .topk_run import RowFilter, SearchHost, rows_by_rowid, search_rowids

METRICS = {"l2": "l2", "cosine": "cosine", "ip": "ip", "inner_product": "ip", "l1": "l1"}


@dataclass
class SearchResult:
    """Row ``i`` answers query ``i``; missing neighbours are padded (id None/-1, distance NaN)."""

    ids: np.ndarray
    distances: np.ndarray
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    strategy: str = ""

    def to_arrow(self) -> pa.Table:
        """One row per (query, rank) that found a neighbour."""
        q, k = self.distances.shape
        query = np.repeat(np.arange(q), k)
        rank = np.tile(np.arange(k), q)
        keep = ~np.isnan(self.distances.reshape(-1))
        data = {
            "query": query[keep],
            "rank": rank[keep],
            "id": self.ids.reshape(-1)[keep],
            "distance": self.distances.reshape(-1)[keep],
        }
        data.update({name: values.reshape(-1)[keep] for name, values in self.columns.items()})
        return pa.table(
            {name: pa.array(list(values) if values.dtype == object else values) for name, values in data.items()}
        )


def search(
    session: SearchHost,
    table: str,
    column: str,
    queries,
    k: int = 10,
    row_filter: Callable[[], RowFilter] | None = None,
    metric: str = "l2",
    columns: Sequence[str] = (),
) -> SearchResult:
    """Top-k neighbours of every query row among the table's live rows, with an optional filter
    (made by ``row_filter`` once the arguments have been checked)."""
    if metric not in METRICS:
        raise ProgrammingError(f"unknown metric {metric!r}; use one of {sorted(METRICS)}", sqlstate="22023")
    manifest = session.snapshot.manifest(table)
    matrix = np.atleast_2d(np.asarray(queries, dtype=np.float32))
    dim = manifest.schema.field(column).type.list_size if manifest.schema.get_field_index(column) >= 0 else None
    if dim is None:
        raise ProgrammingError(f'column "{column}" of relation "{table}" does not exist', sqlstate="42703")
    if matrix.shape[1] != dim:
        raise DataError(f"different vector dimensions {dim} and {matrix.shape[1]}", sqlstate="22000")
    if not np.isfinite(matrix).all():
        raise DataError("NaN and infinity are not allowed in vector", sqlstate="22000")
    if k < 0:
        raise ProgrammingError(f"k must not be negative (got {k})", sqlstate="2201W")
    found = search_rowids(session, table, column, METRICS[metric], matrix, k, row_filter and row_filter())
    rowids = np.asarray(found.rowids, dtype=np.int64)
    distances = np.where(rowids >= 0, np.asarray(found.distances, dtype=np.float64), np.nan)
    key = manifest.primary_key[0] if len(manifest.primary_key) == 1 else None
    wanted = list(dict.fromkeys(([key] if key else []) + list(columns)))
    values = _values_at(session, manifest, rowids, wanted)
    out_columns = {name: values[name] for name in columns}
    ids = values[key] if key else rowids
    return SearchResult(ids, distances, out_columns, found.strategy)


def _values_at(session: SearchHost, manifest, rowids: np.ndarray, columns: list[str]) -> dict[str, np.ndarray]:
    """``columns`` of the rows ``rowids`` [q, k] name, laid out like them (None where a rowid is -1)."""
    if not columns:
        return {}
    rows = rows_by_rowid(session, manifest, rowids.reshape(-1), columns)
    return {name: _as_numpy(rows.column(name)).reshape(rowids.shape) for name in columns}


def _as_numpy(column: pa.ChunkedArray) -> np.ndarray:
    """Numbers and booleans without NULLs as a typed array (no Python object per value); else objects."""
    kind = column.type
    if column.null_count == 0 and (
        pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind)
    ):
        return column.to_numpy()
    out = np.empty(len(column), dtype=object)
    for i, value in enumerate(column.to_pylist()):  # element-wise: a list value must stay one object
        out[i] = value
    return out
