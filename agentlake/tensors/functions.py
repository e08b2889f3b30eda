"""SQL functions over tensors, as DataFusion UDFs over whole Arrow batches.

Each takes and returns tensors in the query-time form (``COMPUTE_TYPE``); the SQL front end
(``agentlake.sql.tensor_expressions``) wraps stored columns in ``tensor_in_<dtype>`` to get there,
and the result layer turns what comes out back into Arrow's tensor extension types. Axes count
from 0 as in numpy; subscripts count from 1 and slices include both ends, as PostgreSQL arrays do.
"""

from __future__ import annotations

import json
import re
from typing import Callable

import numpy as np
import pyarrow as pa

from ..errors import DataError
from .arrays import compute_array, to_ndarrays
from .types import COMPUTE_TYPE, DTYPES, dtype_name, numpy_dtype

C = COMPUTE_TYPE
Fn = Callable[..., pa.Array]


def _error(sqlstate: str, message: str) -> DataError:
    return DataError(f"[SQLSTATE {sqlstate}] {message}", sqlstate=sqlstate)


def _scalars(array: pa.Array) -> list:
    return array.to_pylist()


def _per_row(fn: Callable[..., np.ndarray | None], out: pa.DataType | None = None) -> Fn:
    """A UDF applying ``fn`` to each row's tensors (and plain arguments); NULL in, NULL out."""

    def call(first: pa.Array, *rest: pa.Array) -> pa.Array:
        columns = [to_ndarrays(first)] + [to_ndarrays(r) if r.type == C else _scalars(r) for r in rest]
        values = [None if any(v is None for v in row) else fn(*row) for row in zip(*columns)]
        if out is None:
            return compute_array(values)
        return pa.array(values, out)

    return call


def _target(dtype: str | None, shape: str | None) -> tuple[str | None, list | None]:
    try:
        return (dtype_name(dtype) if dtype else None), (json.loads(shape) if shape else None)
    except ValueError as err:
        raise _error("22023", str(err)) from None


def _conform(array: np.ndarray, dtype: str | None, shape: list | None) -> np.ndarray:
    """A cast's result: values converted to ``dtype``; reshaped to ``shape`` when the sizes agree (22000 if not)."""
    if dtype is not None:
        target = numpy_dtype(dtype)
        if target.kind in "iu" and array.dtype.kind == "f":
            if not np.isfinite(array).all():
                raise _error("22003", f"cannot cast non-finite values to {dtype}")
            array = np.rint(array)
        if target.kind in "iu" and array.size and array.dtype.kind in "iuf":
            info = np.iinfo(target)
            if array.min() < info.min or array.max() > info.max:
                raise _error("22003", f"value out of range for {dtype}")
        array = array.astype(target)
    if shape is not None and any(shape):
        if len(shape) != array.ndim or any(s and s != a for s, a in zip(shape, array.shape)):
            if all(shape) and int(np.prod(shape)) == array.size and array.ndim == 1:
                return array.reshape(shape)
            wanted = ", ".join(str(s) if s else "*" for s in shape)
            raise _error("22000", f"expected a tensor of shape ({wanted}), not {tuple(array.shape)}")
    return array


def parse_text(text: str) -> np.ndarray:
    """``[[1,2],[3,4]]`` or PostgreSQL's ``{{1,2},{3,4}}``."""
    body = text.strip()
    if body.startswith("{"):
        body = body.replace("{", "[").replace("}", "]")
    body = re.sub(r"\b(?:NULL|null)\b", "null", body)
    try:
        value = json.loads(body)
        array = np.asarray(value)
    except (ValueError, TypeError):
        raise _error("22P02", f'invalid input syntax for type tensor: "{text}"') from None
    if array.dtype == object:
        raise _error("22P02", f'invalid input syntax for type tensor: "{text}" (ragged or NULL elements)')
    return array


def _tensor_parse(text: pa.Array, dtype: pa.Array, shape: pa.Array) -> pa.Array:
    out = []
    for t, d, s in zip(text.to_pylist(), dtype.to_pylist(), shape.to_pylist()):
        if t is None:
            out.append(None)
            continue
        target_dtype, target_shape = _target(d, s)
        out.append(_conform(parse_text(t), target_dtype or "float32", target_shape))
    return compute_array(out)


def _tensor_from_bytes(data: pa.Array, dtype: pa.Array, shape: pa.Array) -> pa.Array:
    """A bound numpy parameter: its bytes, dtype and shape (``agentlake.sql.params``)."""
    out = []
    for b, d, s in zip(data.to_pylist(), dtype.to_pylist(), shape.to_pylist()):
        out.append(None if b is None else np.frombuffer(b, numpy_dtype(d)).reshape(json.loads(s)))
    return compute_array(out)


def _tensor_in(data: pa.Array, shape: pa.Array) -> pa.Array:
    """A stored column (its values list and shape) or a list (vector, real[]) as a tensor."""
    values = to_ndarrays(data)
    shapes = shape.to_pylist()
    return compute_array(
        [None if v is None else (v.reshape(s) if s is not None else v) for v, s in zip(values, shapes)]
    )


def _tensor_cast(tensor: pa.Array, dtype: pa.Array, shape: pa.Array) -> pa.Array:
    values = to_ndarrays(tensor)
    return compute_array(
        [
            None if v is None else _conform(v, *_target(d, s))
            for v, d, s in zip(values, dtype.to_pylist(), shape.to_pylist())
        ]
    )


def _reduction(name: str, op: Callable) -> tuple[Fn, Fn]:
    def along(t: np.ndarray, axis: int) -> np.ndarray:
        if not -t.ndim <= axis < t.ndim:
            raise _error("22023", f"axis {axis} is out of bounds for a tensor of {t.ndim} dimensions")
        if t.shape[axis] == 0 and name in ("max", "min"):
            raise _error("22023", f"tensor_{name} over an empty axis")
        return np.asarray(op(t, axis=axis))

    def whole(t: np.ndarray) -> float | None:
        if t.size == 0:
            return 0.0 if name == "sum" else None
        return float(op(t))

    return _per_row(along), _per_row(whole, pa.float64())


def _index(spec: list, t: np.ndarray) -> tuple:
    """PostgreSQL's subscripts (1-based; slices with both ends included; None for an open end)."""
    if len(spec) > t.ndim:
        raise _error("2202E", f"a tensor of {t.ndim} dimensions has no subscript {len(spec)}")
    out = []
    for item in spec:
        if isinstance(item, list):
            lo, hi = item
            out.append(slice(None if lo is None else max(lo - 1, 0), hi))
        else:
            out.append(item - 1)
    return tuple(out)


def _slice(t: np.ndarray, spec: str) -> np.ndarray | None:
    items = json.loads(spec)
    index = _index(items, t)
    if any(isinstance(i, int) and not 0 <= i < t.shape[d] for d, i in enumerate(index)):
        return None  # out of range reads NULL, as PostgreSQL's arrays do
    return np.asarray(t[index])


def _item(t: np.ndarray, spec: str) -> float | None:
    picked = _slice(t, spec)
    if picked is None:
        return None
    if picked.ndim:
        raise _error("2202E", f"subscripts name a tensor of shape {tuple(picked.shape)}, not one element")
    return float(picked)


def _binary(op: Callable[[np.ndarray, np.ndarray], np.ndarray], symbol: str) -> Fn:
    def apply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        # a 0-d operand (a number in SQL) acts as a Python scalar: float32 + 1.5 stays float32
        left = a.item() if a.ndim == 0 and b.ndim else a
        right = b.item() if b.ndim == 0 and a.ndim else b
        if symbol == "/" and np.asarray(right).dtype.kind in "iub" and (np.asarray(right) == 0).any():
            raise _error("22012", "division by zero")
        try:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                return np.asarray(op(left, right))
        except ValueError:
            raise _error(
                "22000", f"tensor shapes {tuple(a.shape)} and {tuple(b.shape)} do not broadcast for {symbol}"
            ) from None

    return _per_row(apply)


def _scalar(values: pa.Array) -> pa.Array:
    return compute_array([None if v is None else np.asarray(v, np.float64) for v in values.to_pylist()])


def _flat(dtype: str) -> tuple[Fn, pa.DataType]:
    out = pa.list_(DTYPES[dtype])
    return _per_row(lambda t: t.reshape(-1).astype(numpy_dtype(dtype)).tolist(), out), out


_SUM, _SUM_ALL = _reduction("sum", np.sum)
_MEAN, _MEAN_ALL = _reduction("mean", np.mean)
_MAX, _MAX_ALL = _reduction("max", np.max)
_MIN, _MIN_ALL = _reduction("min", np.min)
_TO_FLOAT4, FLOAT4_LIST = _flat("float32")
_TO_FLOAT8, FLOAT8_LIST = _flat("float64")

SCALAR_FUNCTIONS: dict[str, tuple[Fn, list[pa.DataType], pa.DataType]] = {
    **{f"tensor_in_{name}": (_tensor_in, [pa.list_(t), pa.list_(pa.int32())], C) for name, t in DTYPES.items()},
    "tensor_parse": (_tensor_parse, [pa.string(), pa.string(), pa.string()], C),
    "tensor_from_bytes": (_tensor_from_bytes, [pa.binary(), pa.string(), pa.string()], C),
    "tensor_cast": (_tensor_cast, [C, pa.string(), pa.string()], C),
    "shape": (_per_row(lambda t: list(t.shape), pa.list_(pa.int32())), [C], pa.list_(pa.int32())),
    "ndim": (_per_row(lambda t: t.ndim, pa.int32()), [C], pa.int32()),
    "dtype": (_per_row(lambda t: "bool" if t.dtype == bool else t.dtype.name, pa.string()), [C], pa.string()),
    "tensor_sum": (_SUM, [C, pa.int64()], C),
    "tensor_sum_all": (_SUM_ALL, [C], pa.float64()),
    "tensor_mean": (_MEAN, [C, pa.int64()], C),
    "tensor_mean_all": (_MEAN_ALL, [C], pa.float64()),
    "tensor_max": (_MAX, [C, pa.int64()], C),
    "tensor_max_all": (_MAX_ALL, [C], pa.float64()),
    "tensor_min": (_MIN, [C, pa.int64()], C),
    "tensor_min_all": (_MIN_ALL, [C], pa.float64()),
    "tensor_slice": (_per_row(_slice), [C, pa.string()], C),
    "tensor_item": (_per_row(_item, pa.float64()), [C, pa.string()], pa.float64()),
    "tensor_add": (_binary(np.add, "+"), [C, C], C),
    "tensor_sub": (_binary(np.subtract, "-"), [C, C], C),
    "tensor_mul": (_binary(np.multiply, "*"), [C, C], C),
    "tensor_div": (_binary(np.divide, "/"), [C, C], C),
    "tensor_scalar": (_scalar, [pa.float64()], C),
    "tensor_to_vector": (_TO_FLOAT4, [C], FLOAT4_LIST),
    "tensor_to_float4_array": (_TO_FLOAT4, [C], FLOAT4_LIST),
    "tensor_to_float8_array": (_TO_FLOAT8, [C], FLOAT8_LIST),
}
"""Every tensor function: (function over Arrow arrays, argument types, result type)."""

RETURNS_TENSOR = frozenset(name for name, (_, _, out) in SCALAR_FUNCTIONS.items() if out == C)


def register_tensor_functions(ctx) -> None:
    """Register every tensor function on a DataFusion ``SessionContext``."""
    from datafusion import udf

    for name, (fn, inputs, output) in SCALAR_FUNCTIONS.items():
        ctx.register_udf(udf(fn, inputs, output, "immutable", name=name))
