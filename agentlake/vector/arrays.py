"""Arrow vector columns <-> numpy matrices, without a Python loop per row.

DataFusion hands UDFs ``list<float32>`` arrays (it coerces ``fixed_size_list`` and
float64 lists to the declared signature) and expands literals to full columns, so
every argument arrives as an array of the batch's length.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..errors import DataError

VECTOR_TYPE = pa.list_(pa.float32())
VECTOR_METADATA = {b"agentlake.type": b"vector"}


def vector_field(name: str, dim: int, nullable: bool = True) -> pa.Field:
    """The Arrow field of a ``vector(dim)`` column."""
    return pa.field(name, pa.list_(pa.float32(), dim), nullable=nullable, metadata=VECTOR_METADATA)


def to_matrix(array: pa.Array | pa.ChunkedArray, dtype: type = np.float32) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values [n, d] of ``dtype``, valid [n] bool, lengths [n]) of a list-of-float column.

    Rows of a list column may differ in length; ``d`` is then the longest row and
    callers compare ``lengths`` to report pgvector's dimension error.
    """
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    n = len(array)
    valid = np.ones(n, dtype=bool) if array.null_count == 0 else np.asarray(array.is_valid())
    if pa.types.is_fixed_size_list(array.type):
        dim = array.type.list_size
        start = array.offset * dim
        flat = array.values.slice(start, n * dim).to_numpy(zero_copy_only=False)
        values = flat.astype(dtype, copy=False).reshape(n, dim)
        return np.where(valid[:, None], values, 0.0).astype(dtype, copy=False), valid, np.full(n, dim)
    offsets = np.asarray(array.offsets).astype(np.int64)
    lengths = np.where(valid, np.diff(offsets), 0)
    flat = array.values.to_numpy(zero_copy_only=False).astype(dtype, copy=False)
    dim = int(lengths.max()) if n else 0
    if valid.all() and (lengths == dim).all():
        return flat[offsets[0]:offsets[-1]].reshape(n, dim), valid, lengths
    index = offsets[:-1, None] + np.arange(dim)[None, :]
    inside = np.arange(dim)[None, :] < lengths[:, None]
    values = np.where(inside, flat[np.minimum(index, max(len(flat) - 1, 0))] if len(flat) else 0.0, 0.0)
    return values.astype(dtype, copy=False), valid, lengths


def from_matrix(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """A ``list<float32>`` array with one row per matrix row (NULL where not ``valid``)."""
    values = np.ascontiguousarray(values, dtype=np.float32)
    n, dim = values.shape
    offsets = pa.array(np.arange(n + 1, dtype=np.int32) * dim)
    mask = None if valid is None or valid.all() else pa.array(~valid)
    return pa.ListArray.from_arrays(offsets, pa.array(values.reshape(-1)), mask=mask)


def parse_vector(text: str) -> np.ndarray:
    """pgvector's text form ``[1,2,3]``; anything else is invalid input (22P02)."""
    body = text.strip()
    if not (body.startswith("[") and body.endswith("]")):
        raise _syntax(text)
    inner = body[1:-1].strip()
    if not inner:
        raise DataError("[SQLSTATE 22000] vector must have at least 1 dimension", sqlstate="22000")
    try:
        out = np.array([float(part) for part in inner.split(",")], dtype=np.float32)
    except ValueError:
        raise _syntax(text) from None
    if not np.isfinite(out).all():
        raise DataError("[SQLSTATE 22000] NaN and infinity are not allowed in vector", sqlstate="22000")
    return out


def _syntax(text: str) -> DataError:
    return DataError(f'[SQLSTATE 22P02] invalid input syntax for type vector: "{text}"', sqlstate="22P02")
