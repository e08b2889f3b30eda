"""List columns (vectors, arrays) in partitions: element access and equality.

DataFusion answers ``e[1]`` and ``e = '[1,2,3]'`` natively on lists; partitions hold
lists as Arrow columns, so both are answered from the Arrow arrays, row by row in
numpy, with PostgreSQL's meaning: subscripts count from 1 and are NULL out of range.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import NotSupportedError
from ...vector.arrays import to_matrix
from .functions import register_scalar_function
from .partitions import arrow_to_series, is_list_type, series_to_arrow


def is_list_value(x: Any) -> bool:
    """A list constant, or a Series of lists (pandas Arrow-backed or cuDF)."""
    if isinstance(x, (list, np.ndarray)):
        return True
    dtype = getattr(x, "dtype", None)
    if dtype is None or not hasattr(x, "index"):
        return False
    arrow = getattr(dtype, "pyarrow_dtype", None)
    return (arrow is not None and is_list_type(arrow)) or type(dtype).__name__ == "ListDtype"


def _rows(x: Any, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, valid, lengths) of a list Series, or of a constant repeated ``n`` times."""
    if isinstance(x, (list, np.ndarray)):
        row = np.asarray(x, dtype=np.float64)
        return np.broadcast_to(row, (n, len(row))), np.ones(n, bool), np.full(n, len(row))
    try:
        return to_matrix(series_to_arrow(x), np.float64)
    except (TypeError, ValueError, pa.ArrowInvalid) as err:
        raise NotSupportedError(f"comparing lists of {x.dtype} is not supported by the dask executor") from err


def compare_lists(op: str, a: Any, b: Any) -> Any:
    """``a = b`` or ``a <> b`` for lists of numbers: equal when both have the same length and elements."""
    if op not in ("=", "!=", "<>"):
        raise NotSupportedError(f"ordering lists with {op} is not supported by the dask executor")
    constants = [isinstance(x, (list, np.ndarray)) for x in (a, b)]
    if all(constants):
        same = len(a) == len(b) and bool(np.all(np.asarray(a, np.float64) == np.asarray(b, np.float64)))
        return same == (op == "=")
    like = b if constants[0] else a
    n = len(like)
    (va, ok_a, la), (vb, ok_b, lb) = _rows(a, n), _rows(b, n)
    width = max(va.shape[1], vb.shape[1])
    va, vb = (np.pad(v, ((0, 0), (0, width - v.shape[1]))) for v in (va, vb))
    equal = ok_a & ok_b & (la == lb) & (va == vb).all(axis=1)
    return arrow_to_series(pa.array(equal if op == "=" else ~equal), like)


def array_element(values: Any, index: Any) -> Any:
    """``values[index]``: the element at a 1-based position, NULL when out of range or NULL."""
    if not hasattr(values, "index"):
        return None if values is None or index is None or not 1 <= index <= len(values) else values[index - 1]
    array = series_to_arrow(values)
    lengths = pc.list_value_length(array).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    flat = pc.list_flatten(array)
    position = np.asarray(
        index.fillna(0).to_numpy() if hasattr(index, "index") else np.full(len(array), index or 0), dtype=np.int64
    )
    inside = np.asarray(array.is_valid()) & (position >= 1) & (position <= lengths)
    at = np.cumsum(lengths) - lengths + position - 1
    picked = (
        flat.take(pa.array(np.where(inside, at, 0), mask=~inside)) if len(flat) else pa.nulls(len(array), flat.type)
    )
    return arrow_to_series(picked, values)


register_scalar_function("array_element", array_element)


def list_text(values: Any) -> Any:
    """Lists cast to text as DataFusion writes them (``[0.0, 1.5]``), which ``to_vector`` reads back:
    each element as numpy prints a value of its own type, so a float32 keeps its short form."""
    array = series_to_arrow(values)
    flat = pc.list_flatten(array).to_numpy(zero_copy_only=False)
    offsets = np.concatenate([[0], np.cumsum(pc.list_value_length(array).fill_null(0).to_numpy(zero_copy_only=False))])
    texts = [
        "[" + ", ".join(map(str, flat[offsets[i] : offsets[i + 1]])) + "]" if valid else None
        for i, valid in enumerate(array.is_valid().to_pylist())
    ]
    return arrow_to_series(pa.array(texts, pa.string()), values)
