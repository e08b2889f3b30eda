"""Tensor values between their Arrow layouts and numpy.

Every layout (fixed-shape, variable-shape, rank-free ragged, the query-time ``COMPUTE_TYPE``,
and plain lists such as vectors and ``real[]``) reads into a list of numpy arrays, and a list of
numpy arrays writes into any of them, so each conversion is two steps through numpy rather than
one function per pair of layouts. Fixed-shape columns also read as one numpy array without a
copy (``to_numpy``), which DLPack hands to torch without one either (``to_torch``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from ..errors import DataError
from .types import (
    COMPUTE_TYPE,
    DTYPES,
    FIXED,
    TensorSpec,
    numpy_dtype,
    ragged_storage,
    tensor_field,
    variable_shape_type,
)


def _combined(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def to_ndarrays(array: pa.Array | pa.ChunkedArray, spec: TensorSpec | None = None) -> list[np.ndarray | None]:
    """One numpy array per row (None for NULL), from any tensor layout; ``spec`` gives the shape of
    a fixed-shape column that arrives as its bare storage (DataFusion drops the extension type)."""
    array = _combined(array)
    valid = np.asarray(array.is_valid()) if len(array) else np.zeros(0, bool)
    t = array.type
    name = t.extension_name if isinstance(t, pa.BaseExtensionType) else None
    storage = array.storage if name else array
    if name == FIXED or (name is None and pa.types.is_fixed_size_list(t) and spec is not None and spec.fixed):
        shape = tuple(t.shape) if name == FIXED else tuple(spec.shape)
        flat = storage.values.slice(storage.offset * storage.type.list_size, len(storage) * storage.type.list_size)
        block = flat.to_numpy(zero_copy_only=False).reshape((len(storage), *shape))
        return [block[i] if ok else None for i, ok in enumerate(valid)]
    if t == COMPUTE_TYPE:
        datas = storage.field("data").to_pylist()
        shapes = storage.field("shape").to_pylist()
        dtypes = storage.field("dtype").to_pylist()
        return [
            np.frombuffer(d, numpy_dtype(dt_)).reshape(s) if ok else None
            for d, s, dt_, ok in zip(datas, shapes, dtypes, valid)
        ]
    if pa.types.is_struct(storage.type):  # variable-shape or ragged: data list + shape list
        data = storage.field("data")
        shapes = storage.field("shape").to_pylist()
        offsets = data.offsets.to_numpy()
        values = data.values.to_numpy(zero_copy_only=False)
        return [values[offsets[i] : offsets[i + 1]].reshape(shapes[i]) if ok else None for i, ok in enumerate(valid)]
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return [np.asarray(v, dtype=_list_dtype(t)) if ok else None for v, ok in zip(array.to_pylist(), valid)]
    raise DataError(f"[SQLSTATE 42804] cannot read a value of type {t} as a tensor", sqlstate="42804")


def _list_dtype(t: pa.DataType) -> np.dtype:
    value = t.value_type
    return np.dtype(bool) if pa.types.is_boolean(value) else value.to_pandas_dtype()


def _checked(value: Any, spec: TensorSpec) -> np.ndarray:
    array = np.asarray(value)
    if spec.shape is not None:
        wanted = spec.shape
        if array.ndim != len(wanted) or any(w is not None and w != s for w, s in zip(wanted, array.shape)):
            shown = ", ".join("*" if w is None else str(w) for w in wanted)
            raise DataError(
                f"[SQLSTATE 22000] expected a tensor of shape ({shown}), not {tuple(array.shape)}", sqlstate="22000"
            )
    return np.ascontiguousarray(array.astype(numpy_dtype(spec.dtype), copy=False))


def from_ndarrays(values: list, spec: TensorSpec) -> pa.Array:
    """Arrow storage for a column declared ``spec`` (its extension type, or the ragged struct)."""
    arrays = [None if v is None else _checked(v, spec) for v in values]
    mask = np.array([a is None for a in arrays], bool)
    value_type = DTYPES[spec.dtype]
    dtype = numpy_dtype(spec.dtype)
    if spec.fixed:
        shape = tuple(spec.shape)
        size = int(np.prod(shape))
        block = np.zeros((len(arrays), size), dtype)
        for i, a in enumerate(arrays):
            if a is not None:
                block[i] = a.reshape(-1)
        storage = pa.FixedSizeListArray.from_arrays(
            pa.array(block.reshape(-1), value_type), size, mask=pa.array(mask) if mask.any() else None
        )
        return pa.ExtensionArray.from_storage(tensor_field(spec)[0], storage)
    present = [a if a is not None else np.zeros(0, dtype) for a in arrays]
    lengths = np.array([a.size for a in present], np.int64)
    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
    flat = np.concatenate([a.reshape(-1) for a in present]) if present else np.zeros(0, dtype)
    data = pa.ListArray.from_arrays(offsets, pa.array(flat, value_type))
    if spec.shape is None:
        shapes = pa.array([list(a.shape) for a in present], pa.list_(pa.int32()))
        storage_type = ragged_storage(value_type)
    else:
        ndim = len(spec.shape)
        shapes = pa.array(
            [list(a.shape) if a.ndim == ndim else [0] * ndim for a in present], pa.list_(pa.int32(), ndim)
        )
        storage_type = variable_shape_type(spec.dtype, ndim).storage_type
    storage = pa.StructArray.from_arrays(
        [data, shapes], fields=list(storage_type), mask=pa.array(mask) if mask.any() else None
    )
    if spec.shape is None:
        return storage
    return pa.ExtensionArray.from_storage(tensor_field(spec)[0], storage)


def compute_array(values: list) -> pa.Array:
    """The query-time form (``COMPUTE_TYPE``) of a list of numpy arrays."""
    datas, shapes, dtypes = [], [], []
    for v in values:
        if v is None:
            datas.append(None)
            shapes.append(None)
            dtypes.append(None)
            continue
        a = np.asarray(v)
        name = "bool" if a.dtype == bool else a.dtype.name
        datas.append(np.ascontiguousarray(a.astype(numpy_dtype(name), copy=False)).tobytes())
        shapes.append(list(a.shape))
        dtypes.append(name)
    mask = pa.array([d is None for d in datas], pa.bool_())
    return pa.StructArray.from_arrays(
        [pa.array(datas, pa.binary()), pa.array(shapes, pa.list_(pa.int32())), pa.array(dtypes, pa.string())],
        fields=list(COMPUTE_TYPE),
        mask=mask,
    )


def result_array(array: pa.Array, spec: TensorSpec | None) -> pa.Array:
    """A query's tensor column as the Python API and the wire see it: a stored column gets its
    extension type back; a computed one becomes a variable-shape tensor when its rows share dtype
    and rank, the ragged layout otherwise."""
    array = _combined(array)
    if spec is not None and (isinstance(array.type, pa.BaseExtensionType) or array.type != COMPUTE_TYPE):
        target = tensor_field(spec)[0]
        if array.type == target:
            return array
        if isinstance(target, pa.BaseExtensionType) and not isinstance(array.type, pa.BaseExtensionType):
            return pa.ExtensionArray.from_storage(target, array.cast(target.storage_type))
        return array.cast(target) if not isinstance(target, pa.BaseExtensionType) else array
    values = to_ndarrays(array)
    present = [v for v in values if v is not None]
    kinds = {(v.dtype.name if v.dtype != bool else "bool", v.ndim) for v in present}
    if len(kinds) == 1:
        dtype, ndim = kinds.pop()
        return from_ndarrays(values, TensorSpec(dtype, (None,) * ndim))
    dtype = present[0].dtype.name if present else "float32"
    return from_ndarrays(values, TensorSpec("bool" if dtype == "bool" else dtype, None))


def as_column(array: pa.Array | pa.ChunkedArray, spec: TensorSpec) -> pa.Array:
    """Any tensor, vector or array value made into a column declared ``spec`` (its shape checked, 22000)."""
    array = _combined(array)
    target = tensor_field(spec)[0]
    if array.type == target:
        return array
    if pa.types.is_null(array.type):
        return from_ndarrays([None] * len(array), spec)
    if (
        isinstance(array.type, pa.BaseExtensionType)
        and isinstance(target, pa.BaseExtensionType)
        and array.type.storage_type == target.storage_type
        and array.type.extension_name == FIXED
    ):
        return pa.ExtensionArray.from_storage(target, array.storage)  # same layout (a permutation dropped)
    return from_ndarrays(to_ndarrays(array, spec), spec)


def to_numpy(array: pa.Array | pa.ChunkedArray) -> np.ndarray | list[np.ndarray | None]:
    """A fixed-shape tensor column as one ``(rows, *shape)`` numpy array sharing Arrow's memory (no
    copy); other layouts as one array per row."""
    array = _combined(array)
    if isinstance(array.type, pa.FixedShapeTensorType) and array.null_count == 0:
        return array.to_numpy_ndarray()
    return to_ndarrays(array)


def to_torch(array: pa.Array | pa.ChunkedArray, device: str | None = None):
    """A tensor column as torch tensors through DLPack (no copy on the CPU); ``device`` moves them."""
    import torch

    values = to_numpy(array)

    def convert(a: np.ndarray):
        out = torch.from_dlpack(a)
        return out.to(device) if device else out

    if isinstance(values, np.ndarray):
        return convert(values)
    return [None if v is None else convert(v) for v in values]


def nested_lists(array: pa.Array | pa.ChunkedArray) -> list:
    """Rows as nested Python lists: PostgreSQL's multidimensional arrays on the wire."""
    return [None if v is None else v.tolist() for v in to_ndarrays(array)]
