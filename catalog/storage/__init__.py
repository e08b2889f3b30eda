"""Storage backends, chosen from the repository URL at run time."""
from __future__ import annotations

import os

from .base import RefState, Storage
from .local import LocalStorage
from .objectstore import ObjectStorage


def open_storage(url: str, storage_options: dict | None = None) -> Storage:
    """Local paths and file:// get the journaling backend; everything else goes through fsspec."""
    if url.startswith("file://"):
        return LocalStorage(url[len("file://"):])
    if "://" not in url:
        return LocalStorage(os.path.expanduser(url))
    return ObjectStorage(url, storage_options)


__all__ = ["LocalStorage", "ObjectStorage", "RefState", "Storage", "open_storage"]
