"""The full-diff three-way row merge that catalog.merge used before it looked keys up on the target.

Kept only as the reference the fast merge is checked against: it diffs both
sides against the base in full, so it is slow but obviously complete.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from catalog.diff import FILE_COLUMN, RowReader, row_changes
from catalog.merge import _base_row, _row, _side
from catalog.objects import ROWID, Manifest


def _merge_rows(repo, name, b, t, s, definition: Manifest, strategy, conflicts, reader: RowReader) -> Manifest:
    ours_rc, theirs_rc = row_changes(b, t, reader, values=False), row_changes(b, s, reader, values=False)
    ours, theirs = _side(ours_rc), _side(theirs_rc)
    take = []
    for key, (kind, i, j) in theirs.items():
        if key in ours:
            o_kind, o_i, o_j = ours[key]
            ours_row, theirs_row = _row(ours_rc.new, o_j), _row(theirs_rc.new, j)
            if ours_row == theirs_row:
                continue  # both sides made the same change
            conflicts.append(
                {
                    "table": name,
                    "key": key,
                    "kind": f"{o_kind}/{kind}",
                    "base": _base_row(reader, b, theirs_rc.old, i)
                    if i is not None
                    else _base_row(reader, b, ours_rc.old, o_i),
                    "ours": ours_row,
                    "theirs": theirs_row,
                }
            )
            if strategy != "theirs":
                continue
        take.append(key)
    # the target's live copy of every taken key goes: ours' new row, else the base row (wherever
    # ours' compaction moved it); each row's file is known, so no file is searched
    moved = dict(
        zip(
            ours_rc.old.column(ROWID).take(ours_rc.same[0]).to_pylist(),
            ours_rc.new.column(FILE_COLUMN).take(ours_rc.same[1]).to_pylist(),
        )
    )
    doomed: dict[str, list[int]] = {}
    for key in take:
        if key in ours and ours[key][2] is not None:
            j = ours[key][2]
            rowid, fid = ours_rc.new.column(ROWID)[j].as_py(), ours_rc.new.column(FILE_COLUMN)[j].as_py()
        elif key not in ours and theirs[key][1] is not None:
            i = theirs[key][1]
            rowid, fid = theirs_rc.old.column(ROWID)[i].as_py(), theirs_rc.old.column(FILE_COLUMN)[i].as_py()
            fid = moved.get(rowid, fid)
        else:
            continue
        doomed.setdefault(fid, []).append(rowid)
    files = [f.with_deleted(np.asarray(doomed[f.id], dtype=np.int64)) if f.id in doomed else f for f in t.files]
    # rows the source added or rewrote: reuse its files, masking every row not taken
    wanted: dict[str, list[int]] = {}
    new_files, new_rowids = theirs_rc.new.column(FILE_COLUMN), theirs_rc.new.column(ROWID)
    for key in take:
        j = theirs[key][2]
        if j is not None:
            wanted.setdefault(new_files[j].as_py(), []).append(new_rowids[j].as_py())
    known = {f.id for f in t.files} | {f.id for f in b.files}
    for entry in s.files:
        if entry.id in known or entry.id not in wanted:
            continue
        rowids = repo.files.rowids(entry)
        unwanted = rowids[~np.isin(rowids, np.asarray(wanted[entry.id], dtype=np.int64))]
        files.append(entry.with_deleted(unwanted) if len(unwanted) else entry)
    return replace(definition, files=tuple(f for f in files if f.live_rows or not f.rows))
