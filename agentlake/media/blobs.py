"""Content-addressed blob objects for media values too large to keep inside Parquet.

A value over ``INLINE_LIMIT`` bytes is stored once, as ``blobs/<sha256[:2]>/<sha256>`` in the
repository's storage: a row copied by UPDATE, a branch or a merge carries only the 64-character
hash. Smaller values stay inline: a separate object costs a request on object stores, more than the
few kilobytes it would keep out of a row group.

GC removes a blob once no data file reachable from any branch or tag names it (``referenced_blobs``,
handed to the repository's GC by the engine) and it is older than GC's grace period. Inserting bytes
that are already stored writes the blob again (an atomic replace with the same content), so its age
is never more than the inserting transaction's: the grace period covers a transaction reusing an
old blob as it covers the data files a transaction writes before its commit.
"""

from __future__ import annotations

import hashlib
from typing import Iterable

import pyarrow.compute as pc

from .types import MEDIA_TYPE

INLINE_LIMIT = 4096
"""Bytes: values up to this stay inside the Parquet row; larger ones become blob objects."""

BLOBS = "blobs"


def blob_path(sha256: str) -> str:
    return f"{BLOBS}/{sha256[:2]}/{sha256}"


class BlobStore:
    """The blob objects of one repository's storage (anything with ``read`` and ``write``)."""

    def __init__(self, storage) -> None:
        self.storage = storage

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        self.storage.write(blob_path(sha), data, durable=True)  # again if there: see the module's note on GC
        return sha

    def get(self, sha256: str) -> bytes:
        return self.storage.read(blob_path(sha256))


def referenced_blobs(repo, files: Iterable) -> set[str]:
    """Paths of the blobs that data files name: the hashes in their media columns whose bytes are not
    inline. Deleted rows count (an older commit that still reaches the file may read them)."""
    named: set[str] = set()
    for entry, manifest in files:
        media = [f.name for f in manifest.schema if f.type == MEDIA_TYPE]
        if not media:
            continue
        rows = repo.files.read(entry, manifest, media, with_rowid=False, apply_deletes=False)
        for column in rows.columns:
            values = column.combine_chunks()
            outside = pc.and_(values.is_valid(), pc.is_null(pc.struct_field(values, "data")))
            named.update(blob_path(sha) for sha in pc.filter(pc.struct_field(values, "sha256"), outside).to_pylist())
    return named
