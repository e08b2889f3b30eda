"""Tensor and media columns in results, as the catalog declared them.

DataFusion drops Arrow extension types and knows nothing of media: a stored tensor column comes
out as its bare storage and a media column as its struct. A column that has the name and storage
of a tensor column of a table the statement reads gets its extension type back; a tensor computed
in the query (``COMPUTE_TYPE``) becomes a variable-shape tensor; a media value becomes its bytes
(bytea, read from the repository's blobs where it is large).
"""

from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from ...media import MEDIA_TYPE, BlobStore, media_bytes
from ...tensors.arrays import result_array
from ...tensors.types import COMPUTE_TYPE, DTYPES, TensorSpec, tensor_field, tensor_spec


def _tensor_specs(snapshot, stmt) -> dict[str, TensorSpec]:
    specs: dict[str, TensorSpec] = {}
    for node in stmt.find_all(exp.Table):
        manifest = snapshot.tables.get(node.name)
        for f in manifest.schema if manifest is not None else ():
            spec = tensor_spec(f)
            if spec is not None:
                specs.setdefault(f.name, spec)
    return specs


def _stored_as(field: pa.Field, specs: dict[str, TensorSpec]) -> TensorSpec | None:
    """The tensor column ``field`` is a bare copy of, by its name and storage."""
    spec = specs.get(field.name)
    if spec is None:
        return None
    target = tensor_field(spec)[0]
    storage = target.storage_type if isinstance(target, pa.BaseExtensionType) else target
    t = field.type
    if spec.fixed:
        same = (
            pa.types.is_fixed_size_list(t) and t.list_size == storage.list_size and t.value_type == storage.value_type
        )
    else:
        same = pa.types.is_struct(t) and t != COMPUTE_TYPE and [f.name for f in t] == ["data", "shape"]
    return spec if same else None


def _is_rich(t: pa.DataType) -> bool:
    return t in (MEDIA_TYPE, COMPUTE_TYPE) or pa.types.is_fixed_size_list(t) or pa.types.is_struct(t)


def restore_rich_columns(table: pa.Table, snapshot, stmt) -> pa.Table:
    """``table`` with tensor columns as tensors and media columns as bytes."""
    if not any(_is_rich(f.type) for f in table.schema):
        return table
    specs = _tensor_specs(snapshot, stmt)
    for index, f in enumerate(table.schema):
        if f.type == MEDIA_TYPE:
            column = media_bytes(table.column(index), BlobStore(snapshot.repo.storage))
            table = table.set_column(index, f.with_type(pa.binary()), column)
            continue
        spec = _stored_as(f, specs)
        if spec is not None or f.type == COMPUTE_TYPE:
            column = result_array(table.column(index), spec)
            table = table.set_column(index, pa.field(f.name, column.type, f.nullable, column_metadata(column)), column)
    return table


def column_metadata(column: pa.Array) -> dict | None:
    """A ragged (rank-free) tensor keeps its tag and dtype in the field metadata."""
    if isinstance(column.type, pa.BaseExtensionType):
        return None
    dtype = next(k for k, v in DTYPES.items() if v == column.type.field("data").type.value_type)
    return tensor_field(TensorSpec(dtype, None))[1]


def rich_schema(schema: pa.Schema, snapshot, stmt) -> pa.Schema:
    """The schema ``restore_rich_columns`` gives, for a query planned but not run (Describe). A
    tensor computed in the query is described as a ragged float64 tensor: its dtype is known only
    once it runs."""
    if not any(_is_rich(f.type) for f in schema):
        return schema
    specs = _tensor_specs(snapshot, stmt)
    fields = []
    for f in schema:
        if f.type == MEDIA_TYPE:
            f = f.with_type(pa.binary())
        else:
            spec = _stored_as(f, specs) or (TensorSpec("float64", None) if f.type == COMPUTE_TYPE else None)
            if spec is not None:
                t, meta = tensor_field(spec)
                f = pa.field(f.name, t, f.nullable, meta or None)
        fields.append(f)
    return pa.schema(fields, metadata=schema.metadata)
