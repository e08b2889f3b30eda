"""Content-addressed blob objects for media values too large to keep inside Parquet.

A value over ``INLINE_LIMIT`` bytes is written once, to ``blobs/<sha256[:2]>/<sha256>`` in the
repository's storage, with put-if-absent: the same bytes inserted again, on any branch, write
nothing, and a row copied by UPDATE, a branch or a merge carries only the 64-character hash.
Smaller values stay inline: a separate object costs a request on object stores, more than the
few kilobytes it would keep out of a row group. GC does not sweep ``blobs/`` (it only knows
data files), so blobs outlive the rows that named them.
"""

from __future__ import annotations

import hashlib

INLINE_LIMIT = 4096
"""Bytes: values up to this stay inside the Parquet row; larger ones become blob objects."""


def blob_path(sha256: str) -> str:
    return f"blobs/{sha256[:2]}/{sha256}"


class BlobStore:
    """The blob objects of one repository's storage (anything with ``read`` and ``put_if_absent``)."""

    def __init__(self, storage) -> None:
        self.storage = storage

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        self.storage.put_if_absent(blob_path(sha), data)  # False: the same bytes are there already
        return sha

    def get(self, sha256: str) -> bytes:
        return self.storage.read(blob_path(sha256))
