"""Where rows live now, by key: the target side of a merge without diffing it.

A merge asks, for each row the source changed, what the target holds under the
same key today. Files whose key statistics exclude the key are skipped; the
others answer from their cached key maps (or, for tables without a primary key,
by rowid ranges), so the cost follows the number of keys asked, not the size of
the target's history.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from .changes import locate_each, outside
from .objects import ROWID, DataFile, Manifest, field_id

if TYPE_CHECKING:
    from .datafiles import FileReader


def live_locations(manifest: Manifest, key: list[str], keys: list, files: "FileReader") -> dict:
    """key -> (file, rowid) of the live row holding it in ``manifest``; absent keys are left out.

    ``key`` names the key columns by field identity of ``manifest``'s schema, or is ``[_rowid]``.
    """
    if not keys:
        return {}
    if key == [ROWID]:
        rowids = np.asarray(keys, dtype=np.int64)
        return {
            keys[i]: (manifest.files[index], keys[i])
            for index, inside, _ in locate_each(manifest, rowids, files)
            for i in inside.tolist()
        }
    by_key = replace(manifest, primary_key=tuple(key))  # key maps are cached per file and key columns
    stat_id = field_id(manifest.schema.field(key[0]))
    leading = keys if len(key) == 1 else [k[0] for k in keys]
    out: dict = {}
    for entry in manifest.files:
        if not entry.live_rows:
            continue
        stat = entry.stats.get(stat_id)
        wanted = [
            k
            for k, lead in zip(keys, leading)
            if k not in out and (stat is None or lead is None or not outside(stat, lead, lead))
        ]
        if not wanted:
            continue
        index = files.key_index(entry, by_key)
        for k in wanted:
            rowid = index.get(k)
            if rowid is not None and not _deleted(entry, rowid):
                out[k] = (entry, rowid)
    return out


def _deleted(entry: DataFile, rowid: int) -> bool:
    """Deletion vectors are kept sorted, so membership is a binary search."""
    at = int(np.searchsorted(entry.deleted, rowid))
    return at < len(entry.deleted) and int(entry.deleted[at]) == rowid


__all__ = ["live_locations"]
