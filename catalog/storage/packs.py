"""Packs: the objects of a journal that goes, kept together in one file, as git packs loose objects.

On local disk the objects of small commits live only in their ref's journal (FORMAT.md, *Refs*).
When the journal is checkpointed or its ref deleted they must outlive it. One file per object cost
a file creation apiece, and most of an agent's branch deletion: six commits hold eighteen objects.
A pack holds them all and is synced once.

A pack is immutable: the objects' bytes end to end, then a JSON index
``{"objects": [[path, offset, length, written], ...]}``, then a trailer of the index's length
(u64, little-endian) and the magic ``ALPACK01``. It is written aside, fsynced and renamed into
``packs/``, so a reader sees all of it or none. ``written`` is when the object was first packed;
GC's grace period counts from it, and repacking keeps it.

A storage learns every pack on its first use, and packs written since when an object is found
nowhere else (:meth:`Packs.refresh`). GC drops objects by rewriting each pack that holds some
(:meth:`Packs.drop`), and folds small packs together (:meth:`Packs.fold`); a process that still
knew a pack GC removed finds it gone and reads the folder again.
"""

from __future__ import annotations

import json
import os
import struct
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Iterable, Iterator

from ..errors import DataCorrupted
from .filesync import fsync_folder, write_all

_TRAILER = struct.Struct("<Q8s")
_MAGIC = b"ALPACK01"
_SUFFIX = ".pack"
SMALL_PACK_BYTES = 16 << 20  # packs under this size are folded together by GC ...
FOLD_AT_PACKS = 8  # ... once there are this many of them,
FOLDED_PACK_BYTES = 256 << 20  # into packs of about this size
STALE_TEMPORARY_SECONDS = 3600.0  # a pack temporary this old was left by a crash: no writer is still on it


@dataclass(frozen=True)
class Packed:
    """Where one object lies in one pack."""

    pack: str
    offset: int
    length: int
    written: float


class Packs:
    """The packs of one repository folder, as far as this process has read them."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._contents: dict[str, dict[str, Packed]] = {}  # pack name -> its objects
        self._where: dict[str, list[Packed]] = {}  # object path -> the packs holding it, newest last

    def __contains__(self, path: str) -> bool:
        return path in self._where

    def get(self, path: str) -> bytes | None:
        """The object's bytes from a pack this process knows, or None. A pack GC has rewritten
        since sends it to read the folder again."""
        for _attempt in range(2):
            holders = self._where.get(path)
            if not holders:
                return None
            try:
                return _read_range(os.path.join(self.folder, holders[-1].pack), holders[-1])
            except FileNotFoundError:
                self.refresh()
        return None

    def length(self, path: str) -> int | None:
        """The object's size, from the index of a pack this process knows."""
        holders = self._where.get(path)
        return holders[-1].length if holders else None

    def entries(self) -> Iterator[tuple[str, float]]:
        """Every object the known packs hold, dated by when it was first packed."""
        for path, holders in list(self._where.items()):
            if holders:
                yield path, holders[-1].written

    def refresh(self) -> None:
        """Learn the packs written since the last look, and forget those GC removed."""
        try:
            names = {name for name in os.listdir(self.folder) if name.endswith(_SUFFIX)}
        except FileNotFoundError:
            names = set()
        with self._lock:
            for gone in set(self._contents) - names:
                self._unlearn(gone)
            for name in names - set(self._contents):
                try:
                    self._learn(name, _read_index(os.path.join(self.folder, name), name))
                except FileNotFoundError:
                    continue  # rewritten by GC since the listing

    def write(self, objects: Iterable[tuple[str, bytes]]) -> None:
        """Write one durable pack of ``objects`` (duplicates once), all dated now."""
        now = time.time()
        self._write({path: (data, now) for path, data in objects})

    def drop(self, doomed: Iterable[str]) -> None:
        """Rewrite the packs holding ``doomed`` objects without them (GC's sweep)."""
        doomed = set(doomed)
        if not doomed:
            return
        self.refresh()
        self._rewrite({entry.pack for path in doomed for entry in self._where.get(path, ())}, doomed)

    def fold(self) -> None:
        """Fold small packs into bigger ones once there are enough of them (each journal that goes
        leaves one, and a process reads the index of every pack it has not seen), and remove pack
        temporaries a crash left (GC's maintenance)."""
        self.refresh()
        self._remove_stale_temporaries()
        small = [
            name
            for name, index in self._contents.items()
            if sum(entry.length for entry in index.values()) < SMALL_PACK_BYTES
        ]
        if len(small) >= FOLD_AT_PACKS:
            self._rewrite(set(small), set())

    def _rewrite(self, names: set[str], doomed: set[str]) -> None:
        """Write what the packs ``names`` hold but ``doomed`` into new synced packs of about
        ``FOLDED_PACK_BYTES``, then remove the old ones."""
        batch: dict[str, tuple[bytes, float]] = {}
        batch_bytes = 0
        for name in sorted(names):
            source = os.path.join(self.folder, name)
            try:
                for path, entry in self._contents[name].items():
                    if path not in doomed and path not in batch:
                        batch[path] = (_read_range(source, entry), entry.written)
                        batch_bytes += entry.length
            except FileNotFoundError:
                continue  # another GC rewrote it meanwhile
            if batch_bytes >= FOLDED_PACK_BYTES:
                self._write(batch)
                batch, batch_bytes = {}, 0
        self._write(batch)
        for name in names:
            try:
                os.unlink(os.path.join(self.folder, name))
            except FileNotFoundError:
                pass
            with self._lock:
                self._unlearn(name)
        if names:
            fsync_folder(self.folder)

    def _write(self, objects: dict[str, tuple[bytes, float]]) -> None:
        if not objects:
            return
        os.makedirs(self.folder, exist_ok=True)
        name = f"{uuid.uuid4().hex}{_SUFFIX}"
        target = os.path.join(self.folder, name)
        tmp = f"{target}.{os.getpid()}.tmp"
        index, chunks, offset = {}, [], 0
        for path, (data, when) in objects.items():
            index[path] = Packed(name, offset, len(data), when)
            chunks.append(data)
            offset += len(data)
        listing = json.dumps(
            {"objects": [[p, e.offset, e.length, e.written] for p, e in index.items()]}, separators=(",", ":")
        ).encode()
        chunks += [listing, _TRAILER.pack(len(listing), _MAGIC)]
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            write_all(fd, b"".join(chunks))
            os.fdatasync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        fsync_folder(self.folder)
        with self._lock:
            self._learn(name, index)

    def _learn(self, name: str, index: dict[str, Packed]) -> None:
        self._contents[name] = index
        for path, entry in index.items():
            self._where.setdefault(path, []).append(entry)

    def _unlearn(self, name: str) -> None:
        for path in self._contents.pop(name, {}):
            holders = [entry for entry in self._where.get(path, ()) if entry.pack != name]
            if holders:
                self._where[path] = holders
            else:
                self._where.pop(path, None)

    def _remove_stale_temporaries(self) -> None:
        cutoff = time.time() - STALE_TEMPORARY_SECONDS
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return
        for name in names:
            if name.endswith(".tmp"):
                path = os.path.join(self.folder, name)
                try:
                    if os.stat(path).st_mtime < cutoff:
                        os.unlink(path)
                except FileNotFoundError:
                    pass


def _read_range(pack: str, entry: Packed) -> bytes:
    fd = os.open(pack, os.O_RDONLY)
    try:
        data = os.pread(fd, entry.length, entry.offset)
    finally:
        os.close(fd)
    if len(data) != entry.length:
        raise DataCorrupted.unreadable(pack, ValueError("shorter than its index says"))
    return data


def _read_index(pack: str, name: str) -> dict[str, Packed]:
    """A pack's index. A pack is renamed into place whole and synced, so one that does not parse
    was damaged after it was written (DataCorrupted, XX001)."""
    with open(pack, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size < _TRAILER.size:
            raise DataCorrupted.unreadable(pack, ValueError("no pack trailer"))
        fh.seek(size - _TRAILER.size)
        length, magic = _TRAILER.unpack(fh.read(_TRAILER.size))
        if magic != _MAGIC or length > size - _TRAILER.size:
            raise DataCorrupted.unreadable(pack, ValueError("no pack trailer"))
        fh.seek(size - _TRAILER.size - length)
        listing = fh.read(length)
    try:
        rows = json.loads(listing)["objects"]
        return {path: Packed(name, offset, length, written) for path, offset, length, written in rows}
    except (ValueError, KeyError, TypeError) as err:
        raise DataCorrupted.unreadable(pack, err) from None


__all__ = ["Packs", "Packed"]
