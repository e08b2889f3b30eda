"""Media values between bytes and their stored struct (``MEDIA_TYPE``)."""

from __future__ import annotations

import hashlib
from typing import Callable

import pyarrow as pa

from .blobs import INLINE_LIMIT, BlobStore
from .metadata import FIELDS, read_metadata
from .types import MEDIA_TYPE


def as_media_column(array: pa.Array | pa.ChunkedArray, kind: str, blobs: BlobStore) -> pa.Array:
    """Bytes (bytea values) made into a media column of ``kind``: each header read, large values
    written once as blobs. A media struct (a row copied from another media column) passes as is."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.type == MEDIA_TYPE:
        return array
    if pa.types.is_null(array.type):
        return pa.nulls(len(array), MEDIA_TYPE)
    if not (
        pa.types.is_binary(array.type) or pa.types.is_large_binary(array.type) or pa.types.is_binary_view(array.type)
    ):
        from ..errors import ProgrammingError

        raise ProgrammingError(f"column of type {kind} takes bytea values, not {array.type}", sqlstate="42804")
    rows = []
    for value in array.to_pylist():
        if value is None:
            rows.append(None)
            continue
        facts = read_metadata(kind, value)
        inline = len(value) <= INLINE_LIMIT
        sha = hashlib.sha256(value).hexdigest() if inline else blobs.put(value)
        rows.append({"sha256": sha, "data": value if inline else None, "size": len(value), **facts})
    return pa.array(rows, MEDIA_TYPE)


def reader(blobs: BlobStore) -> Callable[[dict], bytes]:
    """Bytes of one stored media value (a row of ``MEDIA_TYPE`` as a dict)."""

    def read(row: dict) -> bytes:
        return row["data"] if row["data"] is not None else blobs.get(row["sha256"])

    return read


def media_values(array: pa.Array, blobs: BlobStore) -> list[bytes | None]:
    read = reader(blobs)
    return [None if row is None else read(row) for row in array.to_pylist()]


def media_bytes(array: pa.Array | pa.ChunkedArray, blobs: BlobStore) -> pa.Array:
    """A media column as its bytes (bytea on the wire and in the Python API)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return pa.array(media_values(array, blobs), pa.binary())


__all__ = ["FIELDS", "as_media_column", "media_bytes", "media_values", "reader"]
