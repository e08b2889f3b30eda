"""fsspec storage for object stores (s3://, gs://, memory://, ...).

Object stores cannot append or lock, so a ref is a sequence of immutable
versions ``refs/<kind>/<name>/<seq>`` and a swap is the exclusive creation of the
next version (S3 conditional write ``If-None-Match: *``). Every PUT is durable
once acknowledged, so there is nothing to journal.
"""
from __future__ import annotations

import json
import threading
from typing import Iterator

import fsspec

from ..errors import RefExists, RefNotFound, StorageError
from .base import RefState, decode_ref, dumps, encode_ref

_SEQ_WIDTH = 16
_process_lock = threading.Lock()


class ObjectStorage:
    """A repository under any fsspec URL other than a local path."""

    def __init__(self, url: str, storage_options: dict | None = None) -> None:
        self.url = url.rstrip("/")
        # Refs are read to decide commits: never from a listing cache or a shared stale instance.
        options = {"use_listings_cache": False, "skip_instance_cache": True, **(storage_options or {})}
        if self.url.startswith("memory://"):
            options = dict(storage_options or {})
        self.fs, self.root = fsspec.core.url_to_fs(self.url, **options)
        self.root = self.root.rstrip("/")
        self._exclusive = self.fs.protocol[0] if isinstance(self.fs.protocol, tuple) else self.fs.protocol
        self._seq_cache: dict[str, int] = {}

    def _abs(self, path: str) -> str:
        return f"{self.root}/{path}"

    def read(self, path: str) -> bytes:
        try:
            return self.fs.cat_file(self._abs(path))
        except FileNotFoundError:
            raise StorageError(f"object {path} is missing from the repository") from None

    def write(self, path: str, data: bytes, *, durable: bool) -> None:
        self.fs.pipe_file(self._abs(path), data)

    def exists(self, path: str) -> bool:
        return self.fs.exists(self._abs(path))

    def delete(self, path: str) -> None:
        try:
            self.fs.rm_file(self._abs(path))
        except FileNotFoundError:
            pass

    def walk(self, prefix: str) -> Iterator[tuple[str, float]]:
        base = self._abs(prefix)
        try:
            found = self.fs.find(base, detail=True)
        except FileNotFoundError:
            return
        for full, info in found.items():
            mtime = info.get("LastModified") or info.get("created") or info.get("mtime") or 0
            if hasattr(mtime, "timestamp"):
                mtime = mtime.timestamp()
            yield full[len(self.root) + 1:], float(mtime)

    def uri(self, path: str) -> str:
        return self.fs.unstrip_protocol(self._abs(path))

    def filesystem(self):
        return self.fs, self.root

    def _create_exclusive(self, path: str, data: bytes) -> bool:
        """Create an object only if absent; the store arbitrates between writers."""
        full = self._abs(path)
        if self._exclusive in ("s3", "s3a"):
            try:
                self.fs.pipe_file(full, data, mode="create")
                return True
            except (FileExistsError, OSError) as err:
                if isinstance(err, FileExistsError) or "PreconditionFailed" in str(err) or "412" in str(err):
                    return False
                raise
        with _process_lock:  # memory:// and stores without conditional writes: one process only
            if self.fs.exists(full):
                return False
            self.fs.pipe_file(full, data)
            return True

    # refs --------------------------------------------------------------
    def _ref_dir(self, kind: str, name: str) -> str:
        return f"refs/{kind}/{encode_ref(name)}"

    def _versions(self, kind: str, name: str) -> list[int]:
        return self._versions_at(self._ref_dir(kind, name))

    def _latest(self, kind: str, name: str) -> tuple[int, RefState | None]:
        key = f"{kind}/{name}"
        seq = self._seq_cache.get(key)
        if seq is None:
            versions = self._versions(kind, name)
            if not versions:
                return 0, None
            seq = versions[-1]
        while self.fs.exists(self._abs(f"{self._ref_dir(kind, name)}/{seq + 1:0{_SEQ_WIDTH}d}")):
            seq += 1
        try:
            raw = self.read(f"{self._ref_dir(kind, name)}/{seq:0{_SEQ_WIDTH}d}")
        except StorageError:
            self._seq_cache.pop(key, None)
            return 0, None
        self._seq_cache[key] = seq
        data = json.loads(raw)
        return seq, (None if data.get("deleted") else RefState.from_json(data))

    def ref_get(self, kind: str, name: str) -> RefState | None:
        return self._latest(kind, name)[1]

    def ref_create(self, kind: str, name: str, state: RefState, *, durable: bool) -> None:
        seq, current = self._latest(kind, name)
        if current is not None or not self._create_exclusive(
            f"{self._ref_dir(kind, name)}/{seq + 1:0{_SEQ_WIDTH}d}", dumps(state.to_json())
        ):
            raise RefExists(f"{'branch' if kind == 'heads' else 'tag'} {name!r} already exists")
        self._seq_cache[f"{kind}/{name}"] = seq + 1

    def ref_swap(self, kind, name, expected, new, journal, *, durable) -> bool:
        seq, current = self._latest(kind, name)
        if current is None:
            raise RefNotFound(f"branch {name!r} does not exist")
        if current.commit != expected:
            return False
        if not self._create_exclusive(f"{self._ref_dir(kind, name)}/{seq + 1:0{_SEQ_WIDTH}d}", dumps(new.to_json())):
            return False
        self._seq_cache[f"{kind}/{name}"] = seq + 1
        return True

    def ref_delete(self, kind: str, name: str) -> None:
        seq, current = self._latest(kind, name)
        if current is None:
            raise RefNotFound(f"{'branch' if kind == 'heads' else 'tag'} {name!r} does not exist")
        self.fs.rm(self._abs(self._ref_dir(kind, name)), recursive=True)
        self._seq_cache.pop(f"{kind}/{name}", None)

    def ref_list(self, kind: str) -> dict[str, RefState]:
        try:
            entries = self.fs.ls(self._abs(f"refs/{kind}"), detail=False)
        except FileNotFoundError:
            return {}
        out = {}
        for entry in entries:
            name = decode_ref(entry.rstrip("/").rsplit("/", 1)[-1])
            state = self.ref_get(kind, name)
            if state is not None:
                out[name] = state
        return out

    def allocate(self, counter: str, count: int) -> int:
        path = f"counters/{counter}"
        while True:
            versions = self._versions_at(path)
            last = versions[-1] if versions else 0
            start = int(self.read(f"{path}/{last:0{_SEQ_WIDTH}d}")) if versions else 1
            if self._create_exclusive(f"{path}/{last + 1:0{_SEQ_WIDTH}d}", str(start + count).encode()):
                return start

    def _versions_at(self, path: str) -> list[int]:
        try:
            entries = self.fs.ls(self._abs(path), detail=False)
        except FileNotFoundError:
            return []
        return sorted(int(e.rsplit("/", 1)[-1]) for e in entries if e.rsplit("/", 1)[-1].isdigit())
