"""Simulated power loss for a local-disk repository: trace what writers make durable, then drop the rest.

A writer process calls :func:`trace_local_storage` before it opens the repository: every call by which
local-disk storage (``catalog.storage.local``, ``.packs``, ``.filesync``) changes a file or makes it durable is logged to an epoch folder (one log per
process, each event stamped with the monotonic clock shared by all processes of the machine). After
the writers are SIGKILLed, :func:`lose_unsynced_writes` replays the logs and takes away what a power
loss may take away:

- file contents past the last ``fsync``/``fdatasync`` of the file (its inode): the file is cut at a
  random length between its durable size and its current size (a torn journal tail, an empty or
  half-written object); a journal's records written unsynced into its padding, inside that size, are
  zeroed from the same random point on (the padding they were written over);
- names created, renamed or linked into a folder that was not fsynced afterwards: the name vanishes
  (or, for a name that replaced an older file, the older file comes back), each with probability 1/2.

Assumptions, stated so a result can be judged: everything on disk when the epoch began is durable (the
caller runs ``os.sync()`` with no writer running); new folders are durable once a file in them is
(as on ext4 and XFS, where fsync of a new inode commits its parent's entry); unlinks are durable;
bytes up to a file's surviving length are the bytes that were written (no garbage inside a file of the
right size, as with ext4's default data=ordered); journals are written in place only over their
padding, so an unsynced write there reverts to zeros; counters are rewritten in place and synced before
any value is handed out, so they keep their current value.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import random
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path


class _TracedOS:
    """Stands in for the ``os`` module inside the local-disk storage modules.

    Changes are logged before they are made (a kill right after one never leaves it untraced); syncs
    after they return, stamped with the time they began and the size the file had then (a sync covers
    at least what was written before it began).
    """

    def __init__(self, root: str, log_path: str, saved: str) -> None:
        self._root = os.path.abspath(root) + os.sep
        self._log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._saved = saved
        self._paths: dict[int, str] = {}

    def __getattr__(self, name: str):
        return getattr(os, name)

    def _rel(self, path: str) -> str | None:
        path = os.path.abspath(path)
        return path[len(self._root) :] if path.startswith(self._root) else None

    def _event(self, stamp: int, *fields) -> None:
        os.write(self._log, (json.dumps([stamp, *fields]) + "\n").encode())

    def track(self, fd: int, path: str, flags: int) -> None:
        """Remember what ``fd`` names; log a file it created or emptied."""
        self._paths[fd] = path
        rel = self._rel(path)
        if rel is not None and flags & (os.O_CREAT | os.O_TRUNC):
            self._event(time.monotonic_ns(), "touch", rel)

    def open(self, path, flags, mode=0o777, **kwargs):
        if flags & os.O_CREAT and not os.path.exists(path) and self._rel(path) is not None:
            self._event(time.monotonic_ns(), "create", self._rel(path))
        fd = os.open(path, flags, mode, **kwargs)
        self.track(fd, path, flags & os.O_TRUNC)
        return fd

    def _dirty(self, fd: int, offset: int | None = None, length: int = 0) -> None:
        """Log a change to the file ``fd`` names, with the bytes it writes where known."""
        rel = self._rel(self._paths.get(fd, ""))
        if rel is not None:
            where = [] if offset is None else [os.fstat(fd).st_ino, offset, offset + length]
            self._event(time.monotonic_ns(), "write", rel, *where)

    def write(self, fd, data):
        self._dirty(fd, os.lseek(fd, 0, os.SEEK_CUR), len(data))
        return os.write(fd, data)

    def pwrite(self, fd, data, offset):
        self._dirty(fd, offset, len(data))
        return os.pwrite(fd, data, offset)

    def ftruncate(self, fd, length):
        self._dirty(fd)
        return os.ftruncate(fd, length)

    def _sync(self, call, fd) -> None:
        began, st = time.monotonic_ns(), os.fstat(fd)
        call(fd)
        rel = self._rel(self._paths.get(fd, ""))
        if rel is None:
            return
        if os.path.isdir(self._paths[fd]):
            self._event(began, "dirsync", rel)
        else:
            self._event(began, "sync", rel, st.st_ino, st.st_size)

    def fsync(self, fd):
        self._sync(os.fsync, fd)

    def fdatasync(self, fd):
        self._sync(os.fdatasync, fd)

    def dup(self, fd):
        new = os.dup(fd)
        self._paths[new] = self._paths.get(fd, "")
        return new

    def close(self, fd):
        self._paths.pop(fd, None)
        return os.close(fd)

    def replace(self, src, dst):
        rel = self._rel(dst)
        if rel is not None:
            saved = None
            if os.path.exists(dst):  # the file a power loss could bring back
                saved = os.path.join(self._saved, f"{os.getpid()}.{time.monotonic_ns()}")
                shutil.copyfile(dst, saved)
            self._event(time.monotonic_ns(), "rename", rel, saved)
        return os.replace(src, dst)

    def link(self, src, dst):
        """Logged once it succeeded: a link onto an existing name fails and binds nothing."""
        began = time.monotonic_ns()
        os.link(src, dst)
        rel = self._rel(dst)
        if rel is not None:
            self._event(began, "link", rel, None)

    def unlink(self, path):
        os.unlink(path)
        rel = self._rel(path)
        if rel is not None:
            self._event(time.monotonic_ns(), "unlink", rel)

    def syncfs(self, fd) -> None:
        """syncfs(2) makes the whole filesystem durable: every file under the root at least at the size
        it had before the call, every name bound before the call began."""
        from catalog.storage.filesync import syncfs

        began, files, folders = time.monotonic_ns(), [], []
        for dirpath, _dirs, entries in os.walk(self._root):
            folders.append(dirpath)
            for entry in entries:
                with contextlib.suppress(FileNotFoundError):
                    st = os.stat(os.path.join(dirpath, entry))
                    files.append((os.path.join(dirpath, entry), st.st_ino, st.st_size))
        syncfs(fd)
        for folder in folders:
            rel = self._rel(folder)
            if rel is not None:
                self._event(began, "dirsync", rel)
        for path, inode, size in files:
            self._event(began, "sync", self._rel(path), inode, size)


def trace_local_storage(root: str, epoch: str) -> None:
    """Log this process's file changes and syncs under ``root`` to the folder ``epoch``."""
    from catalog.storage import filesync, local, packs

    os.makedirs(os.path.join(epoch, "saved"), exist_ok=True)
    traced = _TracedOS(root, os.path.join(epoch, f"{os.getpid()}.log"), os.path.join(epoch, "saved"))

    def traced_open(file, mode="r", *args, **kwargs):
        fh = builtins.open(file, mode, *args, **kwargs)
        if any(c in mode for c in "wax+"):
            traced.track(fh.fileno(), os.fspath(file), os.O_TRUNC if "w" in mode else 0)
        return fh

    for module in (local, filesync, packs):  # the modules of local-disk storage that touch files
        module.os = traced
        module.open = traced_open
    if local.syncfs is not None:
        local.syncfs = traced.syncfs


@dataclass
class _Name:
    """What the epoch did to one path."""

    created_at: int | None = None  # last time the name was (re)bound, None if it predates the epoch
    saved: str | None = None  # the file it replaced, if any


@dataclass
class LossReport:
    files_cut: int = 0
    names_lost: int = 0
    names_reverted: int = 0


def _events(epoch: str) -> list[list]:
    out = [json.loads(line) for log in Path(epoch).glob("*.log") for line in log.read_text().splitlines()]
    return sorted(out, key=lambda e: e[0])


def lose_unsynced_writes(root: str, epoch: str, rng: random.Random) -> LossReport:
    """Apply a power loss to ``root``: keep what the logged syncs made durable, drop a random part of the rest."""
    at_start = json.loads(Path(epoch, "sizes.json").read_text())
    names: dict[str, _Name] = {}
    durable: dict[int, int] = defaultdict(int)  # inode -> bytes known durable
    synced_at: dict[int, int] = defaultdict(int)  # inode -> when its last sync began
    written: dict[int, list[tuple[int, int, int]]] = defaultdict(list)  # inode -> (when, start, end)
    dirsyncs: dict[str, list[int]] = defaultdict(list)
    for event in _events(epoch):
        stamp, kind, rel = event[:3]
        if kind == "sync":
            durable[event[3]] = max(durable[event[3]], event[4])
            synced_at[event[3]] = max(synced_at[event[3]], stamp)
        elif kind == "dirsync":
            dirsyncs[rel].append(stamp)
        elif kind in ("create", "rename", "link"):
            name = names.setdefault(rel, _Name())
            name.created_at, name.saved = stamp, event[3] if kind == "rename" else None
        elif kind in ("write", "touch"):
            names.setdefault(rel, _Name())
            if kind == "write" and len(event) > 3 and rel.startswith("refs/"):
                written[event[3]].append((stamp, event[4], event[5]))
        elif kind == "unlink":
            names.pop(rel, None)
    report = LossReport()
    for rel, name in names.items():
        path = os.path.join(root, rel)
        if not os.path.exists(path):
            continue
        folder = os.path.dirname(rel)
        bound = name.created_at is None or any(t > name.created_at for t in dirsyncs.get(folder, ()))
        if not bound and rng.random() < 0.5:
            if name.saved is not None:
                shutil.copyfile(name.saved, path)
                report.names_reverted += 1
            else:
                os.unlink(path)
                report.names_lost += 1
            continue
        st = os.stat(path)
        keep = min(durable.get(st.st_ino, 0), st.st_size)
        inode, size = at_start.get(rel, (None, 0))
        if inode == st.st_ino:
            keep = max(keep, min(size, st.st_size))
        in_place = [
            (start, min(end, keep))
            for when, start, end in written.get(st.st_ino, ())
            if when >= synced_at[st.st_ino] and start < keep
        ]
        if keep < st.st_size or in_place:
            cut = rng.randint(min([keep] + [start for start, _end in in_place]), st.st_size)
            if _zero(path, [(max(cut, start), end) for start, end in in_place]) or cut < st.st_size:
                report.files_cut += 1
            if cut < st.st_size:
                os.truncate(path, max(keep, cut))
    return report


def _zero(path: str, spans: list[tuple[int, int]]) -> bool:
    """Write zeros over the non-empty ``spans`` of a file; whether there was one."""
    spans = [(start, end) for start, end in spans if start < end]
    if spans:
        with open(path, "r+b") as fh:
            for start, end in spans:
                fh.seek(start)
                fh.write(bytes(end - start))
    return bool(spans)


def record_epoch_start(root: str, epoch: str) -> None:
    """Note the sizes of the files writers change in place (journals, counters), all durable now."""
    os.makedirs(epoch, exist_ok=True)
    sizes = {}
    for folder in ("refs", "counters"):
        for path in Path(root, folder).rglob("*"):
            if path.is_file():
                st = path.stat()
                sizes[os.path.relpath(path, root)] = [st.st_ino, st.st_size]
    Path(epoch, "sizes.json").write_text(json.dumps(sizes))
