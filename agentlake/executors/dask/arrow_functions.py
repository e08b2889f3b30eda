"""Functions written over whole Arrow arrays (DataFusion UDFs) run on Dask partitions.

The vector, tensor and media layers define each SQL function once, as a function of Arrow
arrays that DataFusion calls as a UDF. A partition holds those values as Arrow-backed columns,
so the same function answers here: each Series argument becomes its Arrow array, each
constant a repeated Arrow scalar of the declared argument type. Rows pass in slices, so a
constant repeated for every row costs a slice's worth of memory rather than a partition's.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pyarrow as pa

from .expressions import is_series
from .partitions import arrow_to_series, series_to_arrow

SLICE_ROWS = 16_384

ArrowFunction = Callable[..., pa.Array]


def constant_array(value: Any, type_: pa.DataType, rows: int) -> pa.Array:
    """``value`` (a Python value, numpy array or Arrow scalar) repeated ``rows`` times as ``type_``."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    scalar = value.cast(type_) if isinstance(value, pa.Scalar) else pa.scalar(value, type_)
    return pa.repeat(scalar, rows) if rows else pa.array([], type_)


def _constant_result(result: pa.Scalar) -> Any:
    """A function's answer on constants, as the compiler's constants are: a list as a numpy
    array of its element type, a struct (a tensor) as its Arrow scalar, others as Python values."""
    if isinstance(result, pa.ListScalar) and result.is_valid:
        value_type = result.type.value_type
        return np.asarray(result.as_py(), np.bool_ if pa.types.is_boolean(value_type) else value_type.to_pandas_dtype())
    if isinstance(result, pa.StructScalar) and result.is_valid:
        return result
    return result.as_py()


def partition_function(fn: ArrowFunction, inputs: list[pa.DataType], output: pa.DataType) -> Callable[..., Any]:
    """``fn`` over Series and constants (a constant result when every argument is constant)."""

    def apply(*args: Any) -> Any:
        like = next((a for a in args if is_series(a)), None)
        if like is None:
            return _constant_result(fn(*(constant_array(a, t, 1) for a, t in zip(args, inputs)))[0])
        columns = [series_to_arrow(a) if is_series(a) else None for a in args]
        parts = []
        for start in range(0, len(like), SLICE_ROWS) or [0]:
            rows = min(SLICE_ROWS, len(like) - start)
            parts.append(
                fn(
                    *(
                        c.slice(start, rows) if c is not None else constant_array(a, t, rows)
                        for a, c, t in zip(args, columns, inputs)
                    )
                )
            )
        return arrow_to_series(pa.chunked_array(parts, type=output), like)

    return apply
