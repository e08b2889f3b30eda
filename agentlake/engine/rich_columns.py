"""Values bound for tensor, media, jsonb and uuid columns, made into what those columns store.

INSERT, UPDATE, COPY and ``load_arrow`` all end here: a tensor is reshaped and converted to its
column's dtype (the shape checked, 22000); a media value's header is read and large bytes
written once to the repository's blobs. Copying a stored media value (its struct) writes nothing.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..executors.local.jsonb_values import canonical_array
from ..media import BlobStore, as_media_column, media_kind
from ..sql.enum_types import checked_labels, enum_of
from ..sql.types import TYPE_KEY
from ..sql.uuid_input import canonical_uuids
from ..tensors.arrays import as_column, compute_array
from ..tensors.functions import parse_text
from ..tensors.types import tensor_field, tensor_spec


def literal_array(values: list, field: pa.Field) -> pa.Array | None:
    """Constant VALUES for a tensor or media column (None for other columns): text tensors parse
    as ``'[[1,2],[3,4]]'`` or ``'{{1,2},{3,4}}'``; media values stay bytes until ``conform``."""
    if media_kind(field) is not None:
        return pa.array(values, pa.binary())
    spec = tensor_spec(field)
    if spec is None:
        return None
    parsed = [parse_text(v) if isinstance(v, str) else (None if v is None else np.asarray(v)) for v in values]
    return as_column(compute_array(parsed), spec)


def conform(storage, column: pa.Array | pa.ChunkedArray, field: pa.Field) -> pa.Array | pa.ChunkedArray:
    """``column`` as ``field`` stores it when that is a tensor or media column; other columns as they are."""
    kind = media_kind(field)
    if kind is not None:
        return as_media_column(column, kind, BlobStore(storage))
    spec = tensor_spec(field)
    if spec is not None:
        return as_column(column, spec)
    return column


def canonical_text(column: pa.Array | pa.ChunkedArray, field: pa.Field) -> pa.Array | pa.ChunkedArray:
    """jsonb and uuid text as PostgreSQL stores them, checked (22P02) and in their one canonical
    form (jsonb keys ordered, duplicates dropped; a uuid lower-case and hyphenated); an enum
    column's labels checked (22P02); other columns as they are. INSERT, UPDATE, COPY and
    ``load_arrow`` all store through here."""
    if enum_of(field) is not None and (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return checked_labels(column, field)
    tag = (field.metadata or {}).get(TYPE_KEY)
    if tag == b"jsonb":
        return canonical_array(column)
    if tag == b"uuid" and (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return canonical_uuids(column)
    return column


def declared_schema(schema: pa.Schema) -> pa.Schema:
    """A schema for a table made from data (``load_arrow``): tensor columns in their canonical
    types (numpy's arrays arrive as fixed-shape tensors that name an identity permutation, which
    pyarrow cannot build an empty array of)."""
    fields = []
    for f in schema:
        spec = tensor_spec(f)
        if spec is not None:
            t, meta = tensor_field(spec)
            f = pa.field(f.name, t, f.nullable, meta or None)
        fields.append(f)
    return pa.schema(fields, metadata=schema.metadata)


def conform_table(storage, rows: pa.Table, schema: pa.Schema) -> pa.Table:
    """Every tensor and media column of ``rows`` conformed to ``schema`` (``load_arrow``, and COPY
    of whole rows), and jsonb and uuid text as INSERT stores it: canonical, checked (22P02)."""
    for index, name in enumerate(rows.column_names):
        if schema.get_field_index(name) >= 0:
            field = schema.field(name)
            column = canonical_text(conform(storage, rows.column(index), field), field)
            if column is not rows.column(index):
                rows = rows.set_column(index, pa.field(name, column.type), column)
    return rows
