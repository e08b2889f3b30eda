"""The tensor SQL type and its Arrow storage.

``tensor(float32, 3, 224, 224)`` (every size known) is stored as Arrow's canonical
``arrow.fixed_shape_tensor``; a size written 0 varies from row to row, and such a column
(``tensor(uint8, 0, 0, 3)``) is stored as the canonical ``arrow.variable_shape_tensor`` of that
rank. ``tensor(uint8)`` leaves even the rank free; the canonical variable-shape type needs one,
so such a column keeps its shape in a variable-length list beside the data
(``struct<data: list<T>, shape: list<int32>>``), tagged ``tensor`` in the field metadata like
jsonb. Both extension types are written to and read back from Parquet by pyarrow itself.

Inside a query, tensors travel in one form, whatever their column's layout: ``COMPUTE_TYPE``,
the raw little-endian bytes with their shape and dtype, so that one DataFusion function
signature serves every dtype and rank (DataFusion matches argument types exactly).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa

TYPE_KEY = b"agentlake.type"
DTYPE_KEY = b"agentlake.tensor.dtype"
FIXED = "arrow.fixed_shape_tensor"
VARIABLE = "arrow.variable_shape_tensor"

DTYPES: dict[str, pa.DataType] = {
    "bool": pa.bool_(),
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "uint8": pa.uint8(),
    "uint16": pa.uint16(),
    "uint32": pa.uint32(),
    "uint64": pa.uint64(),
    "float32": pa.float32(),
    "float64": pa.float64(),
}
"""Element types a tensor may have, by numpy's names."""

_ALIASES = {
    "boolean": "bool",
    "smallint": "int16",
    "int2": "int16",
    "integer": "int32",
    "int": "int32",
    "int4": "int32",
    "bigint": "int64",
    "int8": "int8",
    "real": "float32",
    "float4": "float32",
    "float": "float32",
    "double": "float64",
    "float8": "float64",
}

COMPUTE_TYPE = pa.struct([("data", pa.binary()), ("shape", pa.list_(pa.int32())), ("dtype", pa.string())])
"""A tensor inside a query: its bytes (C order, little-endian), shape and numpy dtype name."""


def dtype_name(name: str) -> str:
    """numpy's name for an element type written in SQL (``float32``, ``real``, ``uint8``), or ValueError."""
    lowered = name.lower()
    if lowered in DTYPES:
        return lowered
    if lowered in _ALIASES:
        return _ALIASES[lowered]
    raise ValueError(f'tensor element type "{name}" is not supported; use one of {", ".join(DTYPES)}')


@dataclass(frozen=True)
class TensorSpec:
    """What a tensor column declares: its dtype and its shape (None: any rank; a None size: varies)."""

    dtype: str
    shape: tuple[int | None, ...] | None

    @property
    def ndim(self) -> int | None:
        return None if self.shape is None else len(self.shape)

    @property
    def fixed(self) -> bool:
        return self.shape is not None and all(s is not None for s in self.shape)

    def sql(self) -> str:
        dims = "".join(f", {s or 0}" for s in self.shape or ())
        return f"tensor({self.dtype}{dims})"


def tensor_field(spec: TensorSpec) -> tuple[pa.DataType, dict]:
    """(Arrow type, field metadata) of a column declared ``spec``."""
    value = DTYPES[spec.dtype]
    if spec.fixed:
        return pa.fixed_shape_tensor(value, list(spec.shape)), {}
    if spec.shape is not None:
        return variable_shape_type(spec.dtype, len(spec.shape), tuple(spec.shape)), {}
    return ragged_storage(value), {TYPE_KEY: b"tensor", DTYPE_KEY: spec.dtype.encode()}


def ragged_storage(value: pa.DataType) -> pa.DataType:
    return pa.struct([("data", pa.list_(value)), ("shape", pa.list_(pa.int32()))])


@lru_cache(maxsize=None)
def variable_shape_type(dtype: str, ndim: int, uniform: tuple[int | None, ...] | None = None) -> pa.DataType:
    """Arrow's canonical variable-shape tensor type. pyarrow registers it but has no constructor for
    it in Python, so the type is read from a schema that names it in its field metadata."""
    storage = pa.struct([("data", pa.list_(DTYPES[dtype])), ("shape", pa.list_(pa.int32(), ndim))])
    params = {"uniform_shape": list(uniform)} if uniform and any(s is not None for s in uniform) else {}
    field = pa.field(
        "t",
        storage,
        metadata={b"ARROW:extension:name": VARIABLE.encode(), b"ARROW:extension:metadata": json.dumps(params).encode()},
    )
    return pa.ipc.read_schema(pa.schema([field]).serialize()).field(0).type


def _extension_name(t: pa.DataType) -> str | None:
    return t.extension_name if isinstance(t, pa.BaseExtensionType) else None


def tensor_spec(field: pa.Field) -> TensorSpec | None:
    """The declared tensor type of a column, or None when it is not a tensor column."""
    t = field.type
    name = _extension_name(t)
    if name == FIXED:
        return TensorSpec(_dtype_of(t.value_type), tuple(t.shape))
    if name == VARIABLE:
        storage = t.storage_type
        ndim = storage.field("shape").type.list_size
        # pyarrow exposes the C++ type without its parameters; its description lists them
        found = re.search(r"uniform_shape=(\[[^\]]*\])", str(t))
        uniform = json.loads(found.group(1)) if found else [None] * ndim
        return TensorSpec(_dtype_of(storage.field("data").type.value_type), tuple(uniform))
    meta = field.metadata or {}
    if meta.get(TYPE_KEY) == b"tensor":
        return TensorSpec(meta[DTYPE_KEY].decode(), None)
    return None


def is_tensor_field(field: pa.Field) -> bool:
    return tensor_spec(field) is not None


def _dtype_of(value: pa.DataType) -> str:
    return next(name for name, t in DTYPES.items() if t == value)


def numpy_dtype(name: str) -> np.dtype:
    return np.dtype(name).newbyteorder("<") if name != "bool" else np.dtype(bool)
