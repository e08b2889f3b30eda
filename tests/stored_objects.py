"""Damage a stored object on local disk for tests of how corruption is reported: an object is its
own file, or a range of a pack (FORMAT.md, *Packs*), where the small objects of a journal go once the
journal is checkpointed (``agentlake gc`` does it) or its branch deleted."""

from __future__ import annotations

import json
import struct
from pathlib import Path


def damage(repo: str, path: str, data: bytes) -> str:
    """Overwrite the bytes of the object at ``path`` with ``data`` repeated, keeping their size,
    wherever they lie; returns the file name errors should give it."""
    own = Path(repo, path)
    if own.exists():
        where, offset, size = own, 0, own.stat().st_size
    else:
        where, offset, size = packed(repo)[path]
    with open(where, "r+b") as fh:
        fh.seek(offset)
        fh.write((data * (size // max(len(data), 1) + 1))[:size])
    return str(own)


def packed(repo: str) -> dict[str, tuple[Path, int, int]]:
    """Every packed object's pack, offset and length, read as FORMAT.md describes a pack: its index
    (JSON) ends 16 bytes before the end, which hold the index's length and a magic word."""
    found = {}
    for pack in Path(repo, "packs").glob("*.pack"):
        data = pack.read_bytes()
        length, magic = struct.unpack("<Q8s", data[-16:])
        assert magic == b"ALPACK01"
        for path, offset, size, _written in json.loads(data[-16 - length : -16])["objects"]:
            found[path] = (pack, offset, size)
    return found
