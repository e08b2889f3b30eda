"""Media columns (``image``, ``audio``, ``video``): encoded bytes stored once by their SHA-256,
the metadata read from their headers at insert, and decoding done only when asked.

This package sits below the SQL layer and knows nothing of statements; large values live in the
repository's ``blobs/`` objects through ``BlobStore``, which the engine hands in.
"""

from .blobs import INLINE_LIMIT, BlobStore
from .columns import as_media_column, media_bytes
from .types import MEDIA_KINDS, MEDIA_TYPE, media_field, media_kind

__all__ = [
    "INLINE_LIMIT",
    "MEDIA_KINDS",
    "MEDIA_TYPE",
    "BlobStore",
    "as_media_column",
    "media_bytes",
    "media_field",
    "media_kind",
]
