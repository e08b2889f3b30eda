"""Local-disk storage: objects as files, each ref an append-only journal.

A commit on local disk costs one fdatasync and creates no file: its new objects
(data files, manifests, the commit) ride in the ref's journal record, which is
the only thing written and synced. Creating a file costs more than the whole
append and sync on common filesystems. The journal is padded with zeros ahead of
its records (doubling, up to 1 MiB at a time), so an append writes over bytes the
file already has: the fdatasync then flushes data only, without the size and
block changes that cost a filesystem journal commit (PostgreSQL zero-fills its
WAL segments for the same reason). A reader stops at the first zero header.
Every process serves the objects of the records it has read from memory, and
writes one out as a file only when an engine must open it by path
(:meth:`LocalStorage.uri`). An object found nowhere sends the process to read
every journal again, not just one ref's, because objects are shared between refs
(a merge makes its target reach objects journaled only in the source's journal).
Objects over 1 MiB are files, fsynced before the record is written. Past a size
bound the journal is checkpointed: its objects are written out and synced, and it
is rewritten to a single record; deleting a ref writes out and syncs its journal's
objects the same way.

A record may point at commits journaled elsewhere (a merge's source, the commit a
branch or tag is created from). Before such a record is written, the other journal
is made durable (:meth:`LocalStorage.ref_sync`), so no power loss keeps the record
and takes what it points at, whatever the durability of either commit. Each process
remembers how far it synced each journal, and skips a sync that would find nothing new.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Iterable, Iterator, NamedTuple

from ..errors import RefExists, RefNotFound, StorageError
from .base import REF_KINDS, RefState, decode_ref, dumps, encode_ref
from .filesync import fsync_folder, syncfs, write_all
from .packs import Packs

_HEADER = struct.Struct("<II")
JOURNAL_INLINE_LIMIT = 1 << 20
CHECKPOINT_RECORDS = 1024
CHECKPOINT_BYTES = 32 << 20
PADDING_MIN = 16 << 10
PADDING_MAX = 1 << 20
_READ_CHUNK = 64 << 10


def _encode_record(payload: dict) -> bytes:
    body = dumps(payload)
    return _HEADER.pack(len(body), zlib.crc32(body)) + body


def _decode_records(data: bytes, start: int = 0) -> tuple[list[dict], int, int]:
    """Parse whole records from ``start``; stop at the first torn or corrupt one. Returns them, where
    they end and where the last of them begins (``start`` if none)."""
    records, pos, last = [], start, start
    while pos + _HEADER.size <= len(data):
        length, crc = _HEADER.unpack_from(data, pos)
        body = data[pos + _HEADER.size : pos + _HEADER.size + length]
        if not length or len(body) < length or zlib.crc32(body) != crc:  # padding, or torn
            break
        records.append(json.loads(body))
        last = pos
        pos += _HEADER.size + length
    return records, pos, last


def read_records(fd: int, start: int) -> tuple[list[dict], int, int]:
    """:func:`_decode_records` of a journal file from ``start`` (an absolute offset, as are those
    returned), read a chunk at a time: it stops at the padding, so a journal's zeros are not read."""
    records, pos, last = [], start, start
    data, base = os.pread(fd, _READ_CHUNK, start), start
    while True:
        found, end, at = _decode_records(data, pos - base)
        if found:
            records += found
            pos, last = base + end, base + at
        header = data[pos - base : pos - base + _HEADER.size]
        need = _HEADER.size
        if len(header) == _HEADER.size:
            length = _HEADER.unpack(header)[0]
            if not length or pos - base + _HEADER.size + length <= len(data):
                return records, pos, last  # padding, or a torn record
            need += length
        data, base = os.pread(fd, max(_READ_CHUNK, need), pos), pos
        if len(data) < need:
            return records, pos, last  # the file ends, perhaps inside a torn record


MTIME_GRAIN = 0.1
"""Seconds, more than a file's mtime can lag the clock (it is taken from the kernel's coarse clock, a
tick of at most 10 ms behind): a journal checked that long after its mtime, and found with the same
mtime again, has had no append since the check."""


def _grain(mtime_ns: int) -> float:
    """How long after its mtime a journal's mtime must move on an append: :data:`MTIME_GRAIN`, or
    2 s on a filesystem that keeps whole seconds or milliseconds (ext3, FAT, some network mounts:
    an mtime without a sub-millisecond part is taken for one)."""
    return MTIME_GRAIN if mtime_ns % 1_000_000 else 2.0


def _unchanged(view: "_JournalView", st: os.stat_result) -> bool:
    return (view.inode, view.size, view.mtime) == (st.st_ino, st.st_size, st.st_mtime_ns)


def _appended(fd: int, offset: int) -> bool:
    """Whether bytes follow the last record a view read (a record, or a torn one), not padding."""
    return os.pread(fd, 4, offset).strip(b"\0") != b""


class _Held(NamedTuple):
    """An object a journal record holds (the last record read that holds it, if several do)."""

    encoded: str  # base64
    journaled: float  # when this process read the record
    journal: str  # the journal's path
    end: int  # where the record ends in it (at most: records read together share one)


@dataclass
class _JournalView:
    inode: int
    offset: int  # where its records end; the padding after them is zeros up to the file's size
    state: RefState | None
    records: int
    dir_synced: bool
    synced: int = 0  # whole records up to here are known durable (this process synced them)
    # A journal deleted and created again may get the same inode number (and size), so a view also
    # knows the file's mtime, and where the last record it read begins and that record's header.
    mtime: int = 0
    size: int = 0
    checked: float = 0.0  # when the view was last found current (time.time())
    last_at: int = 0
    last_header: bytes = b""
    resident: list[str] = field(default_factory=list)  # objects its records hold, not yet files


class LocalStorage:
    """A repository in a local folder."""

    atomic_cas = True  # flock and link(2) arbitrate every process on the machine

    def __init__(self, root: str, url: str | None = None) -> None:
        self.root = os.path.abspath(root)
        self.url = url or f"file://{self.root}"
        self._views: dict[str, _JournalView] = {}
        self._fds: dict[str, tuple[int, int]] = {}
        """Each journal this process wrote: a descriptor kept open across its commits, and its inode."""
        self._lock = threading.RLock()  # reentrant: the first refresh recovers every journal
        self._made_dirs: set[str] = set()
        self._recovered = False
        self._resident: dict[str, _Held] = {}  # objects journal records hold, by path
        self._staged: dict[str, bytes] = {}  # objects of this process's commits in progress
        self._packs = Packs(self._abs("packs"))  # objects of journals checkpointed or deleted

    # objects -----------------------------------------------------------
    def _abs(self, path: str) -> str:
        return os.path.join(self.root, path)

    def _ensure_dir(self, directory: str) -> None:
        if directory not in self._made_dirs:
            os.makedirs(directory, exist_ok=True)
            self._made_dirs.add(directory)

    def read(self, path: str) -> bytes:
        for _attempt in range(2):
            held = self.held(path)  # looks in every journal and pack again if there is no file
            if held is not None:
                return held
            try:
                with open(self._abs(path), "rb") as fh:
                    return fh.read()
            except FileNotFoundError:
                continue  # GC removed the file since: the next look finds the object nowhere, or packed
        raise StorageError(f"object {path} is missing from the repository")

    def held(self, path: str) -> bytes | None:
        """The bytes of an object a commit in progress here, a journal or a pack holds. They come
        before a file of the same object: one written out for an engine is not synced, and may be
        what a power loss left of it. An object found neither here nor as a file sends this process
        to read every journal and the packs again (another process committed or packed it)."""
        self._recover_once()
        data = self._held_now(path)
        if data is None and path and not os.path.exists(self._abs(path)):
            self._look_again()
            data = self._held_now(path)
        return data

    def _held_now(self, path: str) -> bytes | None:
        staged = self._staged.get(path)
        if staged is not None:
            return staged
        resident = self._resident.get(path)
        if resident is not None:
            return base64.b64decode(resident.encoded)
        return self._packs.get(path) if path in self._packs else None

    def stage(self, path: str, data: bytes) -> None:
        """An object up to 1 MiB rides in the ``ref_swap`` record that publishes it (see the module
        docstring), and is held here until then; a bigger one is written now and fsynced by the swap."""
        if len(data) > JOURNAL_INLINE_LIMIT:
            self.write(path, data, durable=False)
        else:
            self._staged[path] = data

    def unstage(self, paths: Iterable[str]) -> None:
        """Drop staged objects no swap published (their commit was abandoned or lost the race)."""
        for path in paths:
            self._staged.pop(path, None)

    def write(self, path: str, data: bytes, *, durable: bool) -> None:
        target = self._abs(path)
        directory = os.path.dirname(target)
        self._ensure_dir(directory)
        tmp = f"{target}.{os.getpid()}.{threading.get_ident()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            write_all(fd, data)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        if durable:
            fsync_folder(directory)

    def put_if_absent(self, path: str, data: bytes) -> bool:
        """Write a synced temporary, then link(2) it into place: linking fails if the name exists."""
        target = self._abs(path)
        directory = os.path.dirname(target)
        self._ensure_dir(directory)
        tmp = f"{target}.{os.getpid()}.{threading.get_ident()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
        finally:
            os.unlink(tmp)
        fsync_folder(directory)
        return True

    def exists(self, path: str) -> bool:
        self._recover_once()
        return self._known(path) or os.path.exists(self._abs(path))

    def _known(self, path: str) -> bool:
        """Held in memory or in a pack this process has read."""
        return path in self._staged or path in self._resident or path in self._packs

    def size(self, path: str) -> int | None:
        held = self.held(path)
        return len(held) if held is not None else _file_size(self._abs(path))

    def delete(self, *paths: str) -> None:
        """Files are unlinked; the packs holding any of ``paths`` are rewritten once without them."""
        for path in paths:
            try:
                os.unlink(self._abs(path))
            except FileNotFoundError:
                pass
        self._packs.drop(paths)

    def walk(self, prefix: str) -> Iterator[tuple[str, float]]:
        """Files, the objects journals hold (dated by when they were journaled) and packed ones
        (dated by when they were first packed)."""
        base = self._abs(prefix)
        seen = set()
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                full = os.path.join(dirpath, name)
                try:
                    mtime = os.stat(full).st_mtime
                except FileNotFoundError:
                    continue
                rel = os.path.relpath(full, self.root)
                seen.add(rel.replace(os.sep, "/"))
                yield rel, mtime
        folder = prefix.rstrip("/") + "/" if prefix else ""
        self._look_again()
        held = [(path, entry.journaled) for path, entry in list(self._resident.items())]
        for path, when in [*held, *self._packs.entries()]:
            if path.startswith(folder) and path not in seen:
                seen.add(path)
                yield path, when

    def uri(self, path: str) -> str:
        """The object's file, written out first if memory or a pack holds it (not synced: the
        journal or the pack keeps it durable, and is read before the file). A path this process
        knows nowhere sends it to read every journal and the packs again: a merge's target reaches
        data files journaled on its source."""
        full = self._abs(path)
        self._recover_once()
        if path and not self._known(path) and not os.path.exists(full):
            self._look_again()
        if path in self._staged or path in self._resident:
            self._write_missing(path, self.held(path), durable=False)
            self._staged.pop(path, None)
            self._resident.pop(path, None)
        elif path in self._packs and _file_size(full) != self._packs.length(path):
            data = self._packs.get(path)
            if data is not None:  # else GC took it meanwhile
                self.write(path, data, durable=False)
        return full

    def filesystem(self):
        import fsspec

        return fsspec.filesystem("file"), self.root

    # refs --------------------------------------------------------------
    def _ref_path(self, kind: str, name: str) -> str:
        return self._abs(f"refs/{kind}/{encode_ref(name)}")

    def _journals(self, kind: str) -> list[str]:
        """The journal files of one kind of ref (not the temporaries of interrupted checkpoints)."""
        try:
            entries = os.listdir(self._abs(f"refs/{kind}"))
        except FileNotFoundError:
            return []
        return [entry for entry in entries if not entry.endswith((".tmp", ".ckpt"))]

    def _refresh(self, path: str) -> _JournalView | None:
        """Bring the cached view of a journal up to date (one stat when unchanged); the first call
        recovers every journal (see the module docstring). Called with ``self._lock`` held."""
        self._recover_once()
        return self._refresh_view(path)

    def _refresh_view(self, path: str) -> _JournalView | None:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            self._forget(path)
            return None
        view = self._views.get(path)
        if view is not None and _unchanged(view, st) and view.checked - st.st_mtime_ns / 1e9 > _grain(st.st_mtime_ns):
            return view  # an append since the check would have moved the mtime on
        kept = self._fds.get(path)  # this process's descriptor of the journal, when it writes it
        opened = kept is None or kept[1] != st.st_ino
        try:
            fd = os.open(path, os.O_RDONLY) if opened else kept[0]
        except FileNotFoundError:  # deleted since the stat
            self._forget(path)
            return None
        try:
            checked = time.time()
            if opened:
                st = os.fstat(fd)  # the file read, should another have replaced it since the stat
            if view is not None and _unchanged(view, st) and not _appended(fd, view.offset):
                view.checked = checked
                return view
            # the journal the view knew, grown: the same inode, its last record still where it was
            fresh = (
                view is None or view.inode != st.st_ino or os.pread(fd, _HEADER.size, view.last_at) != view.last_header
            )
            records, end, last = read_records(fd, 0 if fresh else view.offset)
            last_header = os.pread(fd, _HEADER.size, last) if records else b""
        finally:
            if opened:
                os.close(fd)
        if fresh:
            self._forget(path)  # replaced by a checkpoint, or deleted: its objects were written out first
            if not records:
                return None
            view = _JournalView(st.st_ino, 0, None, 0, not records[0].get("lazy", False))
            self._recover(records)
        now = time.time()
        for record in records:
            view.state = RefState.from_json(record["ref"])
            view.records += 1
            self._hold(view, path, record.get("objects", ()), now, end)
        if records:
            view.last_at, view.last_header = last, last_header
        view.offset, view.size, view.mtime, view.checked = end, st.st_size, st.st_mtime_ns, checked
        self._views[path] = view
        return view

    def _recover_once(self) -> None:
        """On this storage's first use, read every journal (restoring what :meth:`_recover` restores)
        and learn every pack. A file of a packed or journaled object may be an unsynced copy written
        for an engine, cut by a power loss; the copy in memory or in a pack is what is read, so every
        pack older than this process must be known before any file is trusted."""
        if self._recovered:
            return
        with self._lock:
            if not self._recovered:
                self._refresh_every_journal()
                self._packs.refresh()
                self._recovered = True

    def _refresh_every_journal(self) -> None:
        for kind in REF_KINDS:
            for entry in self._journals(kind):
                self._refresh_view(self._abs(f"refs/{kind}/{entry}"))

    def _look_again(self) -> None:
        """For an object found nowhere: read every journal, then the packs (in that order: a journal
        is packed before it goes). A storage's first look is its recovery, which reads them all."""
        if not self._recovered:
            self._recover_once()
            return
        with self._lock:
            self._refresh_every_journal()
        self._packs.refresh()

    def _hold(self, view: _JournalView, path: str, objects: Iterable, journaled: float, end: int) -> None:
        """Serve a record's objects from memory. Called with ``self._lock`` held."""
        for rel, encoded in objects:
            self._resident[rel] = _Held(encoded, journaled, path, end)
            view.resident.append(rel)

    def _forget(self, path: str) -> None:
        """Drop a journal's view once it is gone or replaced: its objects are in a pack by then (a
        checkpoint or a deletion packs them before the journal goes). Called with ``self._lock`` held."""
        view = self._views.pop(path, None)
        if view is not None:
            for rel in view.resident:
                held = self._resident.get(rel)
                if held is not None and held.journal == path:  # else a later record elsewhere holds it
                    del self._resident[rel]

    def _recover(self, records: list[dict]) -> None:
        """Restore the data files a power loss may have taken, for records of repositories written
        before journals held objects (``"journal"``: files written unsynced, their bytes in the record)."""
        for record in records:
            for rel, encoded in record.get("journal", ()):
                self._write_missing(rel, base64.b64decode(encoded), durable=True)

    def _write_missing(self, path: str, data: bytes, *, durable: bool) -> None:
        """Write a journaled object's file unless it is there whole (objects never change, so its size
        tells; a power loss may have cut or taken one written unsynced)."""
        if _file_size(self._abs(path)) != len(data):
            self.write(path, data, durable=durable)

    def _pack_out(self, records: list[dict], kept: frozenset[str] = frozenset()) -> None:
        """Keep a journal's objects beyond it, before it goes: those its records hold in one durable
        pack (but for those ``kept`` elsewhere), and the files older records list (``"journal"``) synced."""
        self._packs.write(
            (rel, base64.b64decode(data))
            for record in records
            for rel, data in record.get("objects", ())
            if rel not in kept
        )
        self._sync_objects(rel for record in records for rel, _data in record.get("journal", ()))

    def ref_get(self, kind: str, name: str) -> RefState | None:
        with self._lock:
            view = self._refresh(self._ref_path(kind, name))
            return view.state if view else None

    def ref_sync(self, kind: str, name: str) -> None:
        """Make every whole record of a ref's journal durable, with its name in the folder.

        Called before another ref records a commit taken from this one: its records, ``relaxed`` ones
        included, carry that commit's objects. A journal gone meanwhile was checkpointed (made
        durable) before it was deleted or replaced.
        """
        path = self._ref_path(kind, name)
        with self._lock:
            view = self._refresh(path)
            if view is None or (view.synced >= view.offset and view.dir_synced):
                return
            inode, offset = view.inode, view.offset
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return
        try:
            if os.fstat(fd).st_ino == inode:
                os.fdatasync(fd)
        finally:
            os.close(fd)
        if not view.dir_synced:
            fsync_folder(os.path.dirname(path))
        self._note_synced(view, offset)

    def ref_sync_all(self) -> None:
        """:meth:`ref_sync` every ref: for a commit named by its id, whose journal is not known."""
        for kind in REF_KINDS:
            for name in self.ref_list(kind):
                self.ref_sync(kind, name)

    def _note_synced(self, view: _JournalView, offset: int) -> None:
        with self._lock:
            view.synced = max(view.synced, offset)
            view.dir_synced = True

    def ref_create(self, kind: str, name: str, state: RefState, *, durable: bool) -> None:
        """Link a journal holding its first record into place, so no process ever sees it without one.

        A journal without a whole record can then only be what a power loss left of a lazy creation
        (the record was never synced): it names no ref, and is replaced.
        """
        path = self._ref_path(kind, name)
        self._ensure_dir(os.path.dirname(path))
        tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            write_all(fd, _encode_record({"ref": state.to_json(), "lazy": not durable}))
            if durable:
                os.fdatasync(fd)
        finally:
            os.close(fd)
        try:
            while not self._bind(tmp, path):
                if os.path.exists(path):
                    raise RefExists(f"{_kind_word(kind)} {name!r} already exists")
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)  # linked, or moved over a remnant
        if durable:
            fsync_folder(os.path.dirname(path))

    def _bind(self, tmp: str, path: str) -> bool:
        """Link ``tmp`` at ``path``, or move it over a journal with no whole record there. False when
        ``path`` names a ref, or changed meanwhile; of racing creators, the flock and the inode check
        let one replace a remnant."""
        try:
            os.link(tmp, path)
            return True
        except FileExistsError:
            pass
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            st = os.fstat(fd)
            if st.st_ino != os.stat(path).st_ino or read_records(fd, 0)[0]:
                return False
            os.replace(tmp, path)
            return True
        except FileNotFoundError:
            return False
        finally:
            os.close(fd)

    def _locked(self, path: str, kind: str, name: str) -> tuple[int, int]:
        """The journal's descriptor (kept open across commits), flocked, and its inode; follows
        checkpoint renames."""
        while True:
            kept = self._fds.pop(path, None)
            if kept is not None:
                fd = kept[0]
            else:
                try:
                    fd = os.open(path, os.O_RDWR)
                except FileNotFoundError:
                    raise RefNotFound(f"{_kind_word(kind)} {name!r} does not exist") from None
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                st = os.fstat(fd)
                if st.st_nlink and st.st_ino == os.stat(path).st_ino:
                    return fd, st.st_ino
            except FileNotFoundError:
                pass
            with self._lock:  # a refresh may be reading through it (:meth:`_refresh_view`)
                os.close(fd)

    def _unlock(self, path: str, fd: int, inode: int) -> None:
        """Release the journal's flock and keep its descriptor for the next commit, and for refreshes
        of this journal to read through. Closing the one it replaces waits for a refresh using it."""
        fcntl.flock(fd, fcntl.LOCK_UN)
        with self._lock:
            stale = self._fds.get(path)
            self._fds[path] = (fd, inode)
            if stale is not None and stale[0] != fd:
                os.close(stale[0])

    def ref_swap(self, kind, name, expected, new, journal, *, durable) -> bool:
        """Objects too big to ride in the record (staged as files) are fsynced before it is written, in
        both modes: a record that reaches the disk must bring everything it names."""
        self._sync_objects(rel for rel, data in journal if len(data) > JOURNAL_INLINE_LIMIT)
        # relaxed records hold them too: the disk may keep a record without the rest of its commit
        objects = [(rel, base64.b64encode(data).decode()) for rel, data in journal if len(data) <= JOURNAL_INLINE_LIMIT]
        path = self._ref_path(kind, name)
        fd, inode = self._locked(path, kind, name)
        try:
            with self._lock:
                view = self._refresh(path)
                if view is None or view.state.commit != expected:
                    self._unlock(path, fd, inode)
                    return False
                if _appended(fd, view.offset):
                    os.ftruncate(fd, view.offset)  # a torn record: a power loss cut an append short
                payload = {"ref": new.to_json()}
                if objects:
                    payload["objects"] = objects
                record = _encode_record(payload)
                end = view.offset + len(record)
                size = os.fstat(fd).st_size
                if end > size:  # the padding is used up: write more with the record
                    record += bytes(min(max(end, PADDING_MIN), PADDING_MAX))
                os.pwrite(fd, record, view.offset)
                needs_dir_sync = durable and not view.dir_synced
                view.last_at, view.last_header = view.offset, record[: _HEADER.size]
                view.offset = end
                view.state = new
                view.records += 1
                st = os.fstat(fd)
                view.inode, view.size, view.mtime, view.checked = st.st_ino, st.st_size, st.st_mtime_ns, time.time()
                self._hold(view, path, objects, time.time(), end)
                self.unstage(rel for rel, _data in journal)
                checkpoint = view.records > CHECKPOINT_RECORDS or view.offset > CHECKPOINT_BYTES
            if checkpoint:
                self._checkpoint(path, fd, new, durable)
                os.close(fd)
                return True
        except BaseException:
            os.close(fd)
            raise
        sync_fd = os.dup(fd) if durable else None
        self._unlock(path, fd, inode)  # other committers append while this one syncs: one fdatasync covers them
        if sync_fd is not None:
            try:
                os.fdatasync(sync_fd)
            finally:
                os.close(sync_fd)
            if needs_dir_sync:
                fsync_folder(os.path.dirname(path))
            self._note_synced(view, end)
        return True

    def _checkpoint(self, path: str, fd: int, state: RefState, durable: bool) -> None:
        """Pack every journaled object, then rewrite the journal as one record."""
        self._pack_out(read_records(fd, 0)[0])
        tmp = f"{path}.{os.getpid()}.ckpt"
        with open(tmp, "wb") as fh:
            fh.write(_encode_record({"ref": state.to_json()}))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_folder(os.path.dirname(path))
        with self._lock:
            self._forget(path)

    def _sync_objects(self, paths: Iterable[str]) -> None:
        """Make objects written without fsync durable, with their names: one syncfs(2) of the
        repository's filesystem for more than one (see ``filesync``), else an fsync of each and then
        of their folders (each once)."""
        paths = list(paths)
        if len(paths) > 1 and syncfs is not None:
            fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
            try:
                syncfs(fd)
            finally:
                os.close(fd)
            return
        dirs = set()
        for rel in paths:
            full = self._abs(rel)
            try:
                obj = os.open(full, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                os.fsync(obj)
            finally:
                os.close(obj)
            dirs.add(os.path.dirname(full))
        for directory in dirs:
            fsync_folder(directory)

    def ref_delete(self, kind: str, name: str) -> None:
        """Objects journaled here may be reached from other refs (a merge, a branch created from this
        one): they are made durable before the journal that could restore them goes."""
        path = self._ref_path(kind, name)
        fd = self._locked(path, kind, name)[0]
        try:
            records = read_records(fd, 0)[0]
            with self._lock:
                kept = self._kept_elsewhere(path, records)
            self._pack_out(records, kept)
            os.unlink(path)
            with self._lock:
                self._forget(path)
        finally:
            os.close(fd)  # frees the inode: done before the folder's sync, which then commits it too
        fsync_folder(os.path.dirname(path))

    def _kept_elsewhere(self, path: str, records: list[dict]) -> frozenset[str]:
        """Objects of the journal at ``path`` that a record of another journal holds too, known
        durable (this process synced past it): a merge carries its source's objects in the target's
        record, so an agent's branch deleted after its merge needs no pack. A checkpoint of that
        journal packs them before it goes. Called with ``self._lock`` held."""
        kept = set()
        for record in records:
            for rel, _data in record.get("objects", ()):
                held = self._resident.get(rel)
                if held is None or held.journal == path:
                    continue
                view = self._views.get(held.journal)
                if view is not None and view.synced >= held.end:
                    kept.add(rel)
        return frozenset(kept)

    def ref_list(self, kind: str) -> dict[str, RefState]:
        out = {}
        for entry in self._journals(kind):
            state = self.ref_get(kind, decode_ref(entry))
            if state is not None:
                out[decode_ref(entry)] = state
        return out

    def prune_versions(self, older_than: float, *, dry_run: bool = False) -> int:
        """Checkpoint every ref journal holding superseded records, then fold small packs.

        A checkpoint runs under the journal's flock and replaces the file
        atomically, so it is safe at any moment: ``older_than`` is not needed.
        Counters are one file each, with nothing to prune.
        """
        pruned = 0
        for kind in REF_KINDS:
            for name in self.ref_list(kind):
                path = self._ref_path(kind, name)
                with self._lock:
                    view = self._refresh(path)
                if view is None or view.records < 2:
                    continue
                if dry_run:
                    pruned += view.records - 1
                    continue
                try:
                    fd = self._locked(path, kind, name)[0]
                except RefNotFound:
                    continue
                try:
                    with self._lock:
                        view = self._refresh(path)
                    if view is not None and view.records > 1:
                        pruned += view.records - 1
                        self._checkpoint(path, fd, view.state, True)
                finally:
                    os.close(fd)
        if not dry_run:
            self._packs.fold()
        return pruned

    @contextlib.contextmanager
    def try_exclusive(self, name: str, *, wait: bool = False) -> Iterator[bool]:
        """A ``flock`` of ``locks/<name>`` (non-blocking unless ``wait``), released when the block ends
        (or the process dies)."""
        path = self._abs(f"locks/{name}")
        self._ensure_dir(os.path.dirname(path))
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)

    # counters ----------------------------------------------------------
    def allocate(self, counter: str, count: int) -> int:
        path = self._abs(f"counters/{counter}")
        self._ensure_dir(os.path.dirname(path))
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.pread(fd, 64, 0)
            start = int(raw.decode() or "1")
            encoded = str(start + count).encode().ljust(32)
            os.pwrite(fd, encoded, 0)
            os.fsync(fd)
            if not raw:
                fsync_folder(os.path.dirname(path))
            return start
        finally:
            os.close(fd)


def _file_size(path: str) -> int | None:
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return None


def _kind_word(kind: str) -> str:
    return "branch" if kind == "heads" else "tag"


__all__ = ["LocalStorage", "read_records"]
