"""Enum types (CREATE TYPE ... AS ENUM) as columns carry them.

A branch's enum types are catalog state (its commits record name -> labels, as they do
extensions). A column of an enum type stores its labels as text and carries the type in its field
metadata: the type's name under ``TYPE_KEY``, as jsonb and uuid columns do, and the labels in their
order under ``LABELS_KEY``, so that checking a written value and ordering by the column need only
the column. ALTER TYPE rewrites the metadata of every column of the type.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import DataError
from .field_tags import TYPE_KEY

LABELS_KEY = b"agentlake.enum_labels"
MAX_LABEL_BYTES = 63
"""PostgreSQL keeps a label in a ``name`` (NAMEDATALEN - 1 bytes)."""


def enum_metadata(name: str, labels: Iterable[str]) -> dict[bytes, bytes]:
    """The field metadata of a column of enum type ``name``."""
    return {TYPE_KEY: name.encode(), LABELS_KEY: json.dumps(list(labels)).encode()}


def enum_of(field: pa.Field) -> tuple[str, list[str]] | None:
    """(type name, labels) of an enum column; None for any other column."""
    meta = field.metadata or {}
    labels = meta.get(LABELS_KEY)
    return None if labels is None else (meta[TYPE_KEY].decode(), json.loads(labels))


def enum_oid(name: str) -> int:
    """The type's oid as pg_type and the wire report it: fixed by its name, above the bootstrap
    range (PostgreSQL's depend on creation order, which no client relies on)."""
    return 16385 + zlib.crc32(f"enum:{name}".encode()) % 2_000_000_000


def enum_array_oid(name: str) -> int:
    return 16385 + zlib.crc32(f"enum[]:{name}".encode()) % 2_000_000_000


def invalid_label(name: str, label: str) -> DataError:
    """22P02, tagged so that it keeps its code when raised inside a DataFusion function (``x::mood``)."""
    return DataError(f'[SQLSTATE 22P02] invalid input value for enum {name}: "{label}"', sqlstate="22P02")


def checked_labels(column: pa.Array | pa.ChunkedArray, field: pa.Field) -> pa.Array | pa.ChunkedArray:
    """``column`` unchanged when every value is a label of ``field``'s enum type; 22P02 naming the
    first that is not, as PostgreSQL's enum input does."""
    return checked_input(column, *enum_of(field))  # type: ignore[misc]


def checked_input(column: pa.Array | pa.ChunkedArray, name: str, labels: list[str]) -> pa.Array | pa.ChunkedArray:
    """``column`` unchanged when every value is one of ``labels`` of enum type ``name``; else 22P02."""
    known = pc.is_in(column, value_set=pa.array(labels, pa.string()))
    unknown = pc.and_(pc.invert(known), pc.is_valid(column))
    if pc.any(unknown).as_py():
        raise invalid_label(name, column.filter(unknown)[0].as_py())
    return column


def label_position(labels: list[str], label: str, type_name: str) -> int:
    """1-based place of ``label`` in its type's order, 22P02 when it is none of them."""
    try:
        return labels.index(label) + 1
    except ValueError:
        raise invalid_label(type_name, label) from None
