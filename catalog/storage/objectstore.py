"""fsspec storage for object stores (s3://, memory://, gs://, ...).

Object stores cannot append or lock, so every ref and counter is a versioned
cell (:mod:`catalog.storage.versions`) and a swap is the exclusive creation of
its next version. Every PUT is durable once acknowledged, so there is nothing
to journal. A store whose put-if-absent does not reach other processes lets
one writer process in at a time (:mod:`catalog.storage.lease`).
"""

from __future__ import annotations

import contextlib
import json
from typing import Iterable, Iterator

from ..errors import RefExists, RefNotFound
from .base import REF_KINDS, RefState, decode_ref, dumps, encode_ref
from .fsspec_objects import FsspecObjects
from .lease import writer_lease
from .versions import VersionLog

TOMBSTONE = dumps({"deleted": True})


def _state(data: bytes | None) -> RefState | None:
    if data is None:
        return None
    value = json.loads(data)
    return None if value.get("deleted") else RefState.from_json(value)


def _missing(kind: str, name: str) -> RefNotFound:
    return RefNotFound(f"{'branch' if kind == 'heads' else 'tag'} {name!r} does not exist")


class ObjectStorage:
    """A repository under any fsspec URL other than a local path."""

    def __init__(self, url: str, storage_options: dict | None = None) -> None:
        self.objects = FsspecObjects(url, storage_options)
        self.url = self.objects.url
        self.atomic_cas = self.objects.atomic_put
        self._log = VersionLog(self.objects)

    def _writing(self) -> None:
        """Refuse to write while another process holds a store that cannot arbitrate writers."""
        if not self.atomic_cas:
            writer_lease(self.objects, self.url).hold()

    # objects -----------------------------------------------------------
    def read(self, path: str) -> bytes:
        return self.objects.read(path)

    def write(self, path: str, data: bytes, *, durable: bool) -> None:
        self._writing()
        self.objects.write(path, data, durable=durable)

    def stage(self, path: str, data: bytes) -> None:
        self.write(path, data, durable=False)

    def unstage(self, paths: Iterable[str]) -> None:
        """Nothing held: staged objects were written."""

    def held(self, path: str) -> bytes | None:
        return None

    def put_if_absent(self, path: str, data: bytes) -> bool:
        self._writing()
        return self.objects.put_if_absent(path, data)

    def exists(self, path: str) -> bool:
        return self.objects.exists(path)

    def delete(self, *paths: str) -> None:
        self._writing()
        for path in paths:
            self.objects.delete(path)

    def walk(self, prefix: str) -> Iterator[tuple[str, float]]:
        return self.objects.walk(prefix)

    def uri(self, path: str) -> str:
        return self.objects.uri(path)

    def filesystem(self):
        return self.objects.filesystem()

    # refs --------------------------------------------------------------
    @staticmethod
    def _cell(kind: str, name: str) -> str:
        return f"refs/{kind}/{encode_ref(name)}"

    def ref_get(self, kind: str, name: str) -> RefState | None:
        return _state(self._log.latest(self._cell(kind, name))[1])

    def ref_create(self, kind: str, name: str, state: RefState, *, durable: bool) -> None:
        self._writing()
        cell = self._cell(kind, name)
        seq, data = self._log.latest(cell)
        if _state(data) is not None or not self._log.append(cell, seq, dumps(state.to_json())):
            raise RefExists(f"{'branch' if kind == 'heads' else 'tag'} {name!r} already exists")

    def ref_swap(self, kind, name, expected, new, journal, *, durable) -> bool:
        self._writing()
        cell = self._cell(kind, name)
        seq, data = self._log.latest(cell)
        current = _state(data)
        if current is None:
            raise _missing(kind, name)
        return current.commit == expected and self._log.append(cell, seq, dumps(new.to_json()))

    def ref_sync(self, kind: str, name: str) -> None:
        """Nothing to do: every acknowledged PUT is durable."""

    def ref_sync_all(self) -> None:
        """Nothing to do: every acknowledged PUT is durable."""

    def ref_delete(self, kind: str, name: str) -> None:
        """Append a tombstone, so a commit racing the delete cannot bring the ref back."""
        self._writing()
        cell = self._cell(kind, name)
        while True:
            seq, data = self._log.latest(cell)
            if _state(data) is None:
                raise _missing(kind, name)
            if self._log.append(cell, seq, TOMBSTONE):
                return

    def ref_list(self, kind: str) -> dict[str, RefState]:
        out = {}
        for segment, versions in self._log.scan(f"refs/{kind}").items():
            state = _state(self._log.latest(f"refs/{kind}/{segment}", versions[-1][0])[1])
            if state is not None:
                out[decode_ref(segment)] = state
        return out

    # counters ----------------------------------------------------------
    def allocate(self, counter: str, count: int) -> int:
        self._writing()
        cell = f"counters/{counter}"
        while True:
            seq, data = self._log.latest(cell)
            start = int(data) if data is not None else 1
            if self._log.append(cell, seq, str(start + count).encode()):
                return start

    @contextlib.contextmanager
    def try_exclusive(self, name: str, *, wait: bool = False) -> Iterator[bool]:
        """No lock between processes here: duplicate work is only wasted, never wrong."""
        yield True

    # pruning -----------------------------------------------------------
    def prune_versions(self, older_than: float, *, dry_run: bool = False) -> int:
        """Superseded ref and counter versions older than ``older_than``; deleted refs' tombstones too."""
        if not dry_run:
            self._writing()
        pruned = 0
        for root in [f"refs/{kind}" for kind in REF_KINDS] + ["counters"]:
            for segment, versions in self._log.scan(root).items():
                cell = f"{root}/{segment}"
                tombstoned = root != "counters" and _state(self._log.latest(cell, versions[-1][0])[1]) is None
                pruned += self._log.prune(cell, versions, older_than, tombstoned, dry_run)
        return pruned


__all__ = ["ObjectStorage"]
