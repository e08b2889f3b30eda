"""A mutable cell on a store that only creates objects: numbered immutable versions.

The cell ``<prefix>`` is the objects ``<prefix>/<seq>`` (16-digit sequence
numbers); the highest is its value. Changing it is creating the next number with
put-if-absent, so of writers that read the same value exactly one succeeds:
that is the compare-and-swap. Refs and counters of object stores are such cells.

Pruning deletes superseded versions, but only those older than a cutoff: a writer
that read version n creates n+1, and if n+1 had already been written and pruned
the creation would succeed on a stale read. A version older than the cutoff was
superseded before any writer still working can have read its predecessor, as
long as a read-then-swap takes less than the grace period (GC's assumption too).
"""

from __future__ import annotations

from collections import defaultdict

from ..errors import StorageError
from .base import ObjectIO

SEQ_WIDTH = 16


def version_path(prefix: str, seq: int) -> str:
    return f"{prefix}/{seq:0{SEQ_WIDTH}d}"


class VersionLog:
    """Versioned cells of one store, with the last sequence number seen of each cached."""

    def __init__(self, objects: ObjectIO) -> None:
        self.objects = objects
        self._seen: dict[str, int] = {}

    def scan(self, root: str) -> dict[str, list[tuple[int, float]]]:
        """Every cell directly under ``root``: name -> [(seq, mtime)] in order, from one listing."""
        cells: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for path, mtime in self.objects.walk(root):
            parts = path[len(root) :].strip("/").split("/")
            if len(parts) == 2 and parts[1].isdigit():
                cells[parts[0]].append((int(parts[1]), mtime))
        return {name: sorted(versions) for name, versions in cells.items()}

    def _listed(self, prefix: str) -> int:
        versions = [int(p.rsplit("/", 1)[-1]) for p, _ in self.objects.walk(prefix) if p.rsplit("/", 1)[-1].isdigit()]
        return max(versions, default=0)

    def latest(self, prefix: str, hint: int | None = None) -> tuple[int, bytes | None]:
        """(seq, bytes) of the current version, (0, None) for a cell with none.

        One probe for the next version when nothing changed since this process
        last looked (or since ``hint``, a sequence number from a listing); a
        listing otherwise. The probe is a GET, one request where an existence
        check on S3 costs two when the object is absent.
        """
        seq = self._seen.get(prefix) if hint is None else hint
        if seq is None or self._present(version_path(prefix, seq + 1)):
            seq = self._listed(prefix)
        for _attempt in range(2):
            if seq == 0:
                self._seen.pop(prefix, None)
                return 0, None
            try:
                data = self.objects.read(version_path(prefix, seq))
            except StorageError:  # pruned away with the whole cell since it was seen
                seq = self._listed(prefix)
                continue
            self._seen[prefix] = seq
            return seq, data
        raise StorageError(f"{prefix} changed while being read; try again")

    def _present(self, path: str) -> bool:
        try:
            self.objects.read(path)
        except StorageError:
            return False
        return True

    def append(self, prefix: str, seq: int, data: bytes) -> bool:
        """Create version ``seq + 1``; False if another writer created it first."""
        if not self.objects.put_if_absent(version_path(prefix, seq + 1), data):
            return False
        self._seen[prefix] = seq + 1
        return True

    def prune(
        self, prefix: str, versions: list[tuple[int, float]], older_than: float, include_latest: bool, dry_run: bool
    ) -> int:
        """Delete superseded versions older than ``older_than``, oldest first.

        ``include_latest`` drops the last one too (a deleted ref's tombstone), and
        only after all others, so a crash part-way never brings back an older value.
        """
        doomed = [seq for seq, mtime in versions[:-1] if mtime < older_than]
        if include_latest and versions and versions[-1][1] < older_than and len(doomed) == len(versions) - 1:
            doomed.append(versions[-1][0])
        if not dry_run:
            for seq in doomed:
                self.objects.delete(version_path(prefix, seq))
        return len(doomed)


__all__ = ["SEQ_WIDTH", "VersionLog", "version_path"]
