"""Arrow vector columns <-> numpy matrices, without a Python loop per row.

DataFusion hands UDFs ``list<float32>`` arrays (it coerces ``fixed_size_list`` and
float64 lists to the declared signature) and expands literals to full columns, so
every argument arrives as an array of the batch's length.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv

from ..errors import DataError
from .dense_text import check_elements

VECTOR_TYPE = pa.list_(pa.float32())
VECTOR_RESULT = pa.list_(pa.field("vector", pa.float32()))
"""What vector functions return: a list whose element is named "vector", so a computed vector is
told from a ``real[]`` (elements named "item") and reaches clients as pgvector's type."""
VECTOR_METADATA = {b"agentlake.type": b"vector"}


def is_vector_result(t: pa.DataType) -> bool:
    """Whether ``t`` is :data:`VECTOR_RESULT`, its element name included: Arrow's type equality
    ignores a list's element name, so ``t == VECTOR_RESULT`` also holds for a ``real[]``."""
    return pa.types.is_list(t) and t.value_field.name == "vector" and pa.types.is_float32(t.value_type)


BULK_PARSE_VALUES = 1 << 16
"""Elements from which many vector texts are parsed in one pass of Arrow's CSV number parser."""


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
    sizes = np.diff(offsets)
    lengths = np.where(valid, sizes, 0)
    flat = array.values.to_numpy(zero_copy_only=False).astype(dtype, copy=False)
    dim = int(lengths.max()) if n else 0
    if dim and (lengths[valid] == dim).all() and not sizes[~valid].any():  # rows end to end: no gather
        packed = flat[offsets[0] : offsets[-1]].reshape(-1, dim)
        if len(packed) == n:
            return packed, valid, lengths
        values = np.zeros((n, dim), dtype=dtype)
        values[valid] = packed
        return values, valid, lengths
    index = offsets[:-1, None] + np.arange(dim)[None, :]
    inside = np.arange(dim)[None, :] < lengths[:, None]
    values = np.where(inside, flat[np.minimum(index, max(len(flat) - 1, 0))] if len(flat) else 0.0, 0.0)
    return values.astype(dtype, copy=False), valid, lengths


def from_matrix(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """A vector result (``VECTOR_RESULT``) with one row per matrix row (NULL where not ``valid``)."""
    values = np.ascontiguousarray(values, dtype=np.float32)
    n, dim = values.shape
    offsets = pa.array(np.arange(n + 1, dtype=np.int32) * dim)
    mask = None if valid is None or valid.all() else pa.array(~valid)
    return pa.ListArray.from_arrays(offsets, pa.array(values.reshape(-1)), type=VECTOR_RESULT, mask=mask)


def vector_text(values) -> str:
    """pgvector's text form, ``[1,2.5,3]``: each element the shortest decimal that reads back as
    the same float4."""
    return "[" + ",".join(float4_digits(x) for x in np.asarray(values, dtype=np.float32)) + "]"


def float4_digits(value: float) -> str:
    """A finite float4 in its shortest round-tripping decimal form, as PostgreSQL prints it."""
    text = str(np.float32(value))
    return text[:-2] if text.endswith(".0") else text


def parse_vector(text: str) -> np.ndarray:
    """pgvector's text form ``[1,2,3]``, read as pgvector's vector_in reads it (its errors included)."""
    from .dense_text import parse_dense

    return parse_dense(text, "vector")


def parse_vectors(texts: list[str], dim: int) -> np.ndarray:
    """Many ``vector(dim)`` texts as one [n, dim] float32 matrix (what COPY and bulk INSERT send).

    Well-formed input in bulk goes through Arrow's number parser in one pass (correctly rounded
    to float4, as pgvector's strtof); anything else is parsed text by text, which names the
    text at fault."""
    bodies = [text.strip() for text in texts]
    if len(bodies) * dim >= BULK_PARSE_VALUES and all(
        body[:1] == "[" and body[-1:] == "]" and body.count(",") == dim - 1 for body in bodies
    ):
        joined = "\n".join(body[1:-1] for body in bodies).replace(",", "\n").encode()
        try:
            values = pcsv.read_csv(
                pa.py_buffer(joined),
                read_options=pcsv.ReadOptions(column_names=["v"]),
                convert_options=pcsv.ConvertOptions(column_types={"v": pa.float32()}),
            )
        except pa.ArrowInvalid:
            values = None
        if values is not None and values.num_rows == len(bodies) * dim and values.column(0).null_count == 0:
            matrix = values.column(0).to_numpy().reshape(len(bodies), dim)
            check_elements(matrix, "vector")  # NaN and infinity are refused as one by one
            return matrix
    parsed = [parse_vector(text) for text in texts]
    for vector in parsed:
        if len(vector) != dim:
            raise expected_dimensions(dim, len(vector))
    return np.stack(parsed) if parsed else np.zeros((0, dim), np.float32)


def float4_vector(data: bytes) -> np.ndarray:
    """A vector sent as little-endian float4s: how bound parameters reach SQL without a text round trip."""
    if len(data) % 4:
        raise DataError("[SQLSTATE 22P02] a binary vector must hold whole float4 values", sqlstate="22P02")
    return checked_vector(np.frombuffer(data, dtype="<f4").astype(np.float32))


def float4_vectors(blobs: list[bytes | None], dim: int | None = None) -> pa.Array:
    """Bound vectors (float4 bytes each, None for NULL) as one ``VECTOR_RESULT`` column, each checked
    as :func:`float4_vector` checks it: what ``vector_from_float4`` computes, without a query plan.

    With ``dim``, vectors all of that length come as the ``vector(dim)`` column that stores them,
    built from their checked values at once (an agent's INSERT of its embedding, bound as bytes)."""
    vectors = [None if blob is None else float4_vector(blob) for blob in blobs]
    mask = pa.array([v is None for v in vectors]) if any(v is None for v in vectors) else None
    if dim is not None and vectors and all(v is None or len(v) == dim for v in vectors):
        flat = np.concatenate([np.zeros(dim, np.float32) if v is None else v for v in vectors])
        return pa.FixedSizeListArray.from_arrays(pa.array(flat, pa.float32()), dim, mask=mask)
    lengths = np.array([0 if v is None else len(v) for v in vectors], dtype=np.int32)
    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
    flat = np.concatenate([v for v in vectors if v is not None] or [np.zeros(0, np.float32)])
    return pa.ListArray.from_arrays(offsets, pa.array(flat, pa.float32()), type=VECTOR_RESULT, mask=mask)


def checked_vector(vector: np.ndarray, kind: str = "vector") -> np.ndarray:
    """``vector`` if pgvector would accept it: at least one dimension, every element finite."""
    from .dense_text import check_dimensions, check_elements

    check_dimensions(len(vector), kind)
    return check_elements(vector, kind)


def as_vectors(array: pa.Array | pa.ChunkedArray, dim: int | None, value_type: pa.DataType = pa.float32()) -> pa.Array:
    """Any vector-ish column (pgvector text, lists, fixed-size lists, float32 or float64) as a
    ``vector(dim)`` column — what INSERT, UPDATE and COPY store; a wrong length is pgvector's 22000.
    ``dim`` None is pgvector's ``vector`` without a dimension: each row keeps its own length."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if dim is None:
        return _free_vectors(array)
    if pa.types.is_float16(value_type):  # halfvec(dim)
        return _as_halfvecs(array, dim)
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        encoded = array.dictionary_encode()
        table = parse_vectors(encoded.dictionary.to_pylist(), dim)
        codes = encoded.indices.fill_null(0).to_numpy(zero_copy_only=False)
        values = table[codes] if len(table) else np.zeros((len(array), dim), np.float32)
        valid = np.asarray(encoded.indices.is_valid())
    elif pa.types.is_null(array.type):
        values, valid = np.zeros((len(array), dim), np.float32), np.zeros(len(array), dtype=bool)
    else:
        values, valid, lengths = to_matrix(array)
        wrong = valid & (lengths != dim)
        if wrong.any():
            raise expected_dimensions(dim, int(lengths[np.argmax(wrong)]))
        values = values[:, :dim] if values.shape[1] >= dim else np.zeros((len(array), dim), np.float32)
    check_elements(values[valid], "vector")
    flat = pa.array(np.ascontiguousarray(values, dtype=np.float32).reshape(-1))
    return pa.FixedSizeListArray.from_arrays(flat, dim, mask=None if valid.all() else pa.array(~valid))


def _free_vectors(array: pa.Array) -> pa.ListArray:
    """Vectors of any length each (a ``vector`` column without a dimension), checked as pgvector
    checks its input: at least one dimension, every element finite."""
    if pa.types.is_null(array.type):
        return pa.nulls(len(array), VECTOR_RESULT)
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        rows = [None if text is None else parse_vector(text) for text in array.to_pylist()]
    else:
        rows = [None if row is None else checked_vector(np.asarray(row, dtype=np.float32)) for row in array.to_pylist()]
    return pa.array([None if row is None else row.tolist() for row in rows], type=VECTOR_RESULT)


def _as_halfvecs(array: pa.Array, dim: int) -> pa.FixedSizeListArray:
    """A ``halfvec(dim)`` column: texts read by halfvec_in, numbers narrowed by Float4ToHalf."""
    from .dense_text import parse_dense, to_half

    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        rows = [None if text is None else parse_dense(text, "halfvec") for text in array.to_pylist()]
        for row in rows:
            if row is not None and len(row) != dim:
                raise expected_dimensions(dim, len(row))
        valid = np.array([row is not None for row in rows], dtype=bool)
        values = (
            np.stack([row if row is not None else np.zeros(dim, np.float16) for row in rows])
            if rows
            else np.zeros((0, dim), np.float16)
        )
    else:
        as_float = as_vectors(array, dim)
        values, valid, _ = to_matrix(as_float)
        values = to_half(values)
    flat = pa.array(np.ascontiguousarray(values, dtype=np.float16).reshape(-1), pa.float16())
    return pa.FixedSizeListArray.from_arrays(flat, dim, mask=None if valid.all() else pa.array(~valid))


def expected_dimensions(expected: int, got: int) -> DataError:
    """What pgvector raises when a value does not fit a ``vector(n)`` column or cast."""
    return DataError(f"[SQLSTATE 22000] expected {expected} dimensions, not {got}", sqlstate="22000")
