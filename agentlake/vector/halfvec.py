"""pgvector's ``halfvec``: vectors of float16, stored as Arrow ``fixed_size_list<float16>``.

Every halfvec function computes as pgvector does, in float32 over the float16 values, so each
is the vector function of the same name applied to the widened values, with two differences
kept here: errors name ``halfvec`` instead of ``vector``, and a halfvec result is narrowed back
to float16, where a finite float32 beyond float16's range is pgvector's overflow error.
"""

from __future__ import annotations

import re
from typing import Callable

import numpy as np
import pyarrow as pa

from ..errors import DataError
from .arrays import VECTOR_RESULT, VECTOR_TYPE, from_matrix, to_matrix
from .dense_text import check_dimensions, check_elements, parse_dense, to_half

HALFVEC_RESULT = pa.list_(pa.field("halfvec", pa.float16()))
"""What halfvec functions return (any list of float16 reaches clients as halfvec)."""
ARRAY_INPUT = pa.list_(pa.float64())
"""Arrays cast to vector or halfvec arrive as float8 lists (DataFusion widens int, real, numeric)."""
_VECTOR_WORD = re.compile(r"\bvector\b")


def half_result(v: pa.Array, overflow: bool = True) -> pa.Array:
    """A vector result narrowed to halfvec; a finite value beyond float16 is 22003 (``overflow``)
    or named as pgvector's Float4ToHalf names it."""
    values, valid, lengths = to_matrix(v)
    with np.errstate(over="ignore"):
        half = values.astype(np.float16)
    wrong = valid[:, None] & np.isinf(half) & ~np.isinf(values)
    if wrong.any():
        if overflow:
            raise DataError("[SQLSTATE 22003] value out of range: overflow", sqlstate="22003")
        to_half(values[wrong])
    offsets = np.concatenate([[0], np.cumsum(np.where(valid, lengths, 0))]).astype(np.int32)
    flat = (
        np.concatenate([row[:n] for row, n, ok in zip(half, lengths, valid) if ok])
        if valid.any()
        else np.zeros(0, np.float16)
    )
    return pa.ListArray.from_arrays(
        pa.array(offsets),
        pa.array(flat, pa.float16()),
        type=HALFVEC_RESULT,
        mask=None if valid.all() else pa.array(~valid),
    )


def renamed(fn: Callable[..., pa.Array], kind: str = "halfvec", narrow: bool = True) -> Callable[..., pa.Array]:
    """``fn`` (a vector function) as the ``kind`` function of the same name: its errors say ``kind``,
    and its vector results become halfvecs when ``narrow``."""

    def call(*args: pa.Array) -> pa.Array:
        try:
            out = fn(*args)
        except DataError as err:
            text = _VECTOR_WORD.sub(kind, err.args[0] if err.args else str(err))
            raise DataError(text, sqlstate=err.sqlstate) from None
        return half_result(out) if narrow and out.type == VECTOR_RESULT else out

    return call


def _to_halfvec(text: pa.Array) -> pa.Array:
    distinct = text.dictionary_encode()
    parsed = [
        None if s is None else parse_dense(s, "halfvec").astype(np.float32) for s in distinct.dictionary.to_pylist()
    ]
    rows = [parsed[i] if i is not None else None for i in distinct.indices.to_pylist()]
    return _half_rows(rows)


def _half_rows(rows: list) -> pa.Array:
    valid = np.array([r is not None for r in rows], dtype=bool)
    lengths = np.array([len(r) if r is not None else 0 for r in rows], dtype=np.int64)
    flat = (
        np.concatenate([r for r in rows if r is not None]).astype(np.float16)
        if valid.any()
        else np.zeros(0, np.float16)
    )
    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
    return pa.ListArray.from_arrays(
        offsets, pa.array(flat, pa.float16()), type=HALFVEC_RESULT, mask=None if valid.all() else pa.array(~valid)
    )


def array_rows(arrays: pa.Array, kind: str) -> list:
    """``real[]``/``float8[]``/``numeric[]``/``int[]`` values as pgvector's array_to_vector reads them:
    no NULL elements, float4 values (float8 beyond float4 becomes infinity), each checked."""
    rows = []
    for item in arrays.to_pylist():
        if item is None:
            rows.append(None)
            continue
        if any(x is None for x in item):
            raise DataError("[SQLSTATE 22004] array must not contain nulls", sqlstate="22004")
        with np.errstate(over="ignore"):
            values = np.asarray(item, dtype=np.float64).astype(np.float32)
        check_dimensions(len(values), kind)
        check_elements(values, kind)
        rows.append(to_half(values).astype(np.float32) if kind == "halfvec" else values)
    return rows


def _array_to_halfvec(arrays: pa.Array) -> pa.Array:
    return _half_rows(array_rows(arrays, "halfvec"))


def _array_to_vector(arrays: pa.Array) -> pa.Array:
    rows = array_rows(arrays, "vector")
    valid = np.array([r is not None for r in rows], dtype=bool)
    lengths = np.array([len(r) if r is not None else 0 for r in rows], dtype=np.int64)
    flat = np.concatenate([r for r in rows if r is not None]) if valid.any() else np.zeros(0, np.float32)
    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
    return pa.ListArray.from_arrays(
        offsets, pa.array(flat, pa.float32()), type=VECTOR_RESULT, mask=None if valid.all() else pa.array(~valid)
    )


def _underflow_checked(multiply: Callable[[pa.Array, pa.Array], pa.Array]) -> Callable[[pa.Array, pa.Array], pa.Array]:
    """halfvec's ``*``: a product of non-zero elements that is zero in float16 is pgvector's underflow
    error (the float4 product, checked by the vector ``*``, may still be non-zero)."""

    def call(left: pa.Array, right: pa.Array) -> pa.Array:
        out = multiply(left, right)
        a, b, (product, valid, _) = to_matrix(left)[0], to_matrix(right)[0], to_matrix(out)
        if a.shape == b.shape == product.shape and ((product == 0) & (a != 0) & (b != 0))[valid].any():
            raise DataError("[SQLSTATE 22003] value out of range: underflow", sqlstate="22003")
        return out

    return call


def halfvec_functions(vector_functions: dict) -> dict:
    """The halfvec overloads (``halfvec_<name>``) of the vector functions that take one, plus the
    conversions; ``vector_functions`` is the vector layer's table of scalar functions."""
    out = {}
    for name, (fn, inputs, output) in vector_functions.items():
        if name in ("to_vector", "vector_from_float4", "vector_to_text"):
            continue
        out[f"halfvec_{name}"] = (renamed(fn), inputs, HALFVEC_RESULT if output == VECTOR_RESULT else output)
    out["halfvec_vector_mul"] = (_underflow_checked(out["halfvec_vector_mul"][0]), *out["halfvec_vector_mul"][1:])
    out["to_halfvec"] = (_to_halfvec, [pa.string()], HALFVEC_RESULT)
    out["array_to_halfvec"] = (_array_to_halfvec, [ARRAY_INPUT], HALFVEC_RESULT)
    out["array_to_vector"] = (_array_to_vector, [ARRAY_INPUT], VECTOR_RESULT)
    out["vector_to_halfvec"] = (vector_to_halfvec_array, [VECTOR_TYPE], HALFVEC_RESULT)
    out["halfvec_to_vector"] = (lambda v: v.cast(VECTOR_RESULT), [VECTOR_TYPE], VECTOR_RESULT)
    return out


def vector_to_halfvec_array(v: pa.Array) -> pa.Array:
    """A vector column as halfvecs (``embedding::halfvec``): pgvector's Float4ToHalf per element."""
    values, valid, _ = to_matrix(v)
    return half_result(from_matrix(values, valid), overflow=False)
