"""Durable file writes: whole writes, folder fsyncs, and syncfs(2), which makes every file written
on a filesystem durable with one call.

A branch delete or a journal checkpoint must make durable every object journaled in the ref's
journal (FORMAT.md, *Refs*): for an agent's branch of six commits, one fsync per object and per
folder is some 36 filesystem journal commits, where syncfs writes everything back and commits
once. It also writes back other files of the same filesystem, which costs little where writers
sync their commits anyway. Linux has it (writeback errors are reported since 5.8); elsewhere
:data:`syncfs` is None and callers fsync file by file.
"""

from __future__ import annotations

import ctypes
import os
from typing import Callable


def _load() -> Callable[[int], None] | None:
    try:
        call = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    call.argtypes, call.restype = [ctypes.c_int], ctypes.c_int

    def syncfs(fd: int) -> None:
        """Write back the filesystem holding ``fd`` and wait for it (the GIL is released meanwhile)."""
        if call(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"syncfs: {os.strerror(err)}")

    return syncfs


syncfs = _load()


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data``: os.write may write less than asked."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def fsync_folder(path: str) -> None:
    """Make the names in a folder (files created, renamed or removed there) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = ["fsync_folder", "syncfs", "write_all"]
