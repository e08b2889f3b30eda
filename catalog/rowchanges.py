"""What changed in one table between two versions, row by row, reading only changed files.

Diff and merge both need it. Files present, unchanged, on both sides are never
read; that is what keeps merging a small branch into a huge table cheap.
Rows are identified by primary key, or by ``_rowid`` for tables without one.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .datafiles import FileReader, key_tuples
from .objects import ROWID, DataFile, Manifest


@dataclass
class RowChanges:
    """Per key: the row before (None if inserted) and after (None if deleted), with rowids."""

    key_columns: list[str]
    before: dict = field(default_factory=dict)   # key -> row dict (base version)
    after: dict = field(default_factory=dict)    # key -> row dict (new version)
    after_rowid: dict = field(default_factory=dict)  # key -> rowid of the new version
    after_file: dict = field(default_factory=dict)   # key -> id of the file holding the new version

    def keys(self) -> set:
        return set(self.before) | set(self.after)

    def kind(self, key) -> str:
        if key not in self.before:
            return "insert"
        return "delete" if key not in self.after else "update"


def _live(entry: DataFile, files: FileReader) -> np.ndarray:
    rowids = files.rowids(entry)
    return rowids[~np.isin(rowids, entry.deleted)] if len(entry.deleted) else rowids


def _rows(files: FileReader, manifest: Manifest, entry: DataFile, rowids: np.ndarray | None) -> pa.Table:
    table = files.read(entry, manifest, with_rowid=True, apply_deletes=False)
    if rowids is not None:
        table = table.filter(pc.is_in(table.column(ROWID), value_set=pa.array(rowids, pa.int64())))
    return table


def table_changes(files: FileReader, base: Manifest | None, new: Manifest) -> RowChanges:
    """Rows inserted, deleted and updated from ``base`` to ``new`` (same table)."""
    key_columns = list(new.primary_key) or [ROWID]
    changes = RowChanges(key_columns)
    base_files = {f.id: f for f in base.files} if base is not None else {}
    new_files = {f.id: f for f in new.files}
    removed: list[pa.Table] = []
    for fid, old in base_files.items():
        now = new_files.get(fid)
        if now is None:
            gone = _live(old, files)
        elif len(now.deleted) != len(old.deleted):
            gone = np.setdiff1d(now.deleted, old.deleted)
        else:
            continue
        if len(gone):
            removed.append(_rows(files, base, old, gone))
    added: list[tuple[DataFile, pa.Table]] = []
    for fid, entry in new_files.items():
        if fid not in base_files and entry.live_rows:
            table = _rows(files, new, entry, _live(entry, files) if len(entry.deleted) else None)
            added.append((entry, table))
    for table in removed:
        for key, row in zip(key_tuples(table, key_columns), table.to_pylist()):
            changes.before[key] = row
    for entry, table in added:
        for key, row in zip(key_tuples(table, key_columns), table.to_pylist()):
            changes.after[key] = row
            changes.after_rowid[key] = row[ROWID]
            changes.after_file[key] = entry.id
    for key in list(changes.before.keys() & changes.after.keys()):
        if _same(changes.before[key], changes.after[key]):
            del changes.before[key], changes.after[key], changes.after_rowid[key], changes.after_file[key]
    return changes


def _same(a: dict, b: dict) -> bool:
    """Equal content (the rowid aside): a row that compaction only moved."""
    return {k: v for k, v in a.items() if k != ROWID} == {k: v for k, v in b.items() if k != ROWID}


def public(row: dict | None) -> dict | None:
    return None if row is None else {k: v for k, v in row.items() if k != ROWID}
