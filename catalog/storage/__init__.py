"""Storage backends, chosen from the repository URL at run time."""

from __future__ import annotations

import os

from .base import ObjectIO, RefCAS, RefState, Storage
from .lease import WriterLeaseHeld
from .local import LocalStorage


def open_storage(url: str, storage_options: dict | None = None) -> Storage:
    """Local paths and file:// get the journaling backend; everything else goes through fsspec."""
    if url.startswith("file://"):
        return LocalStorage(url[len("file://") :])
    if "://" not in url:
        return LocalStorage(os.path.expanduser(url))
    from .objectstore import ObjectStorage

    return ObjectStorage(url, storage_options)


def __getattr__(name: str):
    if name == "ObjectStorage":  # fsspec is imported only for object-store URLs
        from .objectstore import ObjectStorage

        return ObjectStorage
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "LocalStorage",
    "ObjectIO",
    "ObjectStorage",
    "RefCAS",
    "RefState",
    "Storage",
    "WriterLeaseHeld",
    "open_storage",
]
