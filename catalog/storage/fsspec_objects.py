"""Object I/O on any fsspec filesystem, and which of them can create an object conditionally.

Put-if-absent is the one primitive the object-store commit protocol needs from a
store. S3 provides it (``If-None-Match: *``, fsspec ``pipe_file(mode="create")``);
``memory://`` provides it under a lock, because the whole store lives in this
process. Any other store (gs://, az://, ...) is checked then written under the
same lock, which does not reach other processes: ``atomic_put`` is False for
them and the caller has to keep other writer processes out. GCS generation and
Azure ETag preconditions could make them atomic, but they are not trusted until
they are tested against a real server.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Iterator

import fsspec

from ..errors import StorageError

ATOMIC_PUT_PROTOCOLS = frozenset({"s3", "s3a"})
PROCESS_LOCAL_PROTOCOLS = frozenset({"memory"})
_process_lock = threading.Lock()


def _conditional_conflict(err: OSError) -> bool:
    """S3 answers 409 to a conditional write racing another one; the retry gets the real verdict.

    (s3fs turns the 412 of ``If-None-Match`` into FileExistsError, but passes
    this code through only on the botocore error it chains.)
    """
    response = getattr(err.__cause__, "response", None) or {}
    return response.get("Error", {}).get("Code") == "ConditionalRequestConflict"


class FsspecObjects:
    """The immutable objects of a repository under an fsspec URL."""

    def __init__(self, url: str, storage_options: dict | None = None) -> None:
        self.url = url.rstrip("/")
        # Refs are read to decide commits: never from a listing cache or a shared stale instance.
        options = {"use_listings_cache": False, "skip_instance_cache": True, **(storage_options or {})}
        if self.url.startswith("memory://"):
            options = dict(storage_options or {})
        self.fs, root = fsspec.core.url_to_fs(self.url, **options)
        self.root = root.rstrip("/")
        protocol = self.fs.protocol[0] if isinstance(self.fs.protocol, tuple) else self.fs.protocol
        self._conditional = protocol in ATOMIC_PUT_PROTOCOLS
        self.atomic_put = self._conditional or protocol in PROCESS_LOCAL_PROTOCOLS
        # memory:// is one dict: listing it while another thread (the compactor) writes would fail
        self._listing_lock = _process_lock if protocol in PROCESS_LOCAL_PROTOCOLS else contextlib.nullcontext()

    def _abs(self, path: str) -> str:
        return f"{self.root}/{path}"

    def read(self, path: str) -> bytes:
        try:
            return self.fs.cat_file(self._abs(path))
        except FileNotFoundError:
            raise StorageError(f"object {path} is missing from the repository") from None

    def write(self, path: str, data: bytes, *, durable: bool) -> None:
        """Every acknowledged PUT is durable on an object store: ``durable`` changes nothing."""
        with self._listing_lock:
            self.fs.pipe_file(self._abs(path), data)

    def put_if_absent(self, path: str, data: bytes) -> bool:
        full = self._abs(path)
        if self._conditional:
            while True:
                try:
                    self.fs.pipe_file(full, data, mode="create")
                    return True
                except FileExistsError:
                    return False
                except OSError as err:
                    if not _conditional_conflict(err):
                        raise
        with _process_lock:
            if self.fs.exists(full):
                return False
            self.fs.pipe_file(full, data)
            return True

    def exists(self, path: str) -> bool:
        return self.fs.exists(self._abs(path))

    def delete(self, path: str) -> None:
        try:
            with self._listing_lock:
                self.fs.rm_file(self._abs(path))
        except FileNotFoundError:
            pass

    def walk(self, prefix: str) -> Iterator[tuple[str, float]]:
        base = self._abs(prefix).rstrip("/")
        try:
            with self._listing_lock:
                found = self.fs.find(base, detail=True)
        except FileNotFoundError:
            return
        for full, info in found.items():
            mtime = info.get("LastModified") or info.get("created") or info.get("mtime") or 0
            if hasattr(mtime, "timestamp"):
                mtime = mtime.timestamp()
            yield full[len(self.root) + 1 :], float(mtime)

    def uri(self, path: str) -> str:
        return self.fs.unstrip_protocol(self._abs(path))

    def filesystem(self):
        return self.fs, self.root


__all__ = ["FsspecObjects"]
