"""Three-way merge of a source ref into a target branch, per table and per row.

The merge base is the nearest common ancestor. A table changed on one side
takes that side; a table changed on both is merged row by row by primary key
(``_rowid`` without one). The source's new data files are reused as they are,
with deletion vectors masking the rows the merge does not take, so no data is
copied. Conflicts are returned as data; with the default strategy nothing is
written when there is any.
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from .datafiles import key_tuples
from .diff import FILE_COLUMN, RowReader, row_changes
from .errors import ConflictError, MergeConflict, RefNotFound
from .objects import ROWID, Commit, Manifest, object_path
from .storage.base import RefState

if TYPE_CHECKING:
    from .repository import Repository

STRATEGIES = ("fail", "ours", "theirs")
MAX_ATTEMPTS = 20


def merge_base(repo: "Repository", a: str, b: str) -> str | None:
    """The nearest commit reachable from both (breadth-first from ``b``)."""
    ancestors, queue = set(), deque([a])
    while queue:
        commit_id = queue.popleft()
        if commit_id not in ancestors:
            ancestors.add(commit_id)
            queue.extend(repo.commit(commit_id).parents)
    seen, queue = set(), deque([b])
    while queue:
        commit_id = queue.popleft()
        if commit_id in ancestors:
            return commit_id
        if commit_id not in seen:
            seen.add(commit_id)
            queue.extend(repo.commit(commit_id).parents)
    return None


def merge(repo: "Repository", source: str, into: str, strategy: str = "fail", author: str = "",
          message: str | None = None) -> str:
    """Merge ``source`` (any ref) into branch ``into``; returns the commit ``into`` points at after.

    ``strategy``: ``fail`` raises :class:`MergeConflict` (nothing written); ``ours``
    keeps the target's version of conflicting rows; ``theirs`` takes the source's.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}")
    source_id = repo.resolve(source)
    for _ in range(MAX_ATTEMPTS):
        state = repo.storage.ref_get("heads", into)
        if state is None:
            raise RefNotFound(f'branch "{into}" does not exist')
        target_id = state.commit
        base_id = merge_base(repo, source_id, target_id)
        if base_id == source_id:
            return target_id  # already contains everything from the source
        if base_id == target_id:
            new_id = source_id  # fast-forward
        else:
            tables, views, conflicts = three_way(repo, base_id, target_id, source_id, strategy)
            if conflicts and strategy == "fail":
                raise MergeConflict(
                    f"merging {source} into {into}: {len(conflicts)} conflicting row(s) in "
                    f"{', '.join(sorted({c['table'] for c in conflicts}))}; choose strategy 'ours' or 'theirs' "
                    "or resolve them on a branch", conflicts)
            commit = Commit((target_id, source_id), {}, author, message or f"merge {source} into {into}",
                            time.time(), {"merge": {"source": source, "base": base_id, "strategy": strategy}}, views)
            journal = []
            for name, manifest in tables.items():
                manifest_id, payload = manifest.encoded
                commit.tables[name] = manifest_id
                journal.append((object_path(manifest_id), payload))
            new_id, payload = commit.encoded
            journal.append((object_path(new_id), payload))
            for path, data in journal:
                repo.storage.write(path, data, durable=False)
        new_state = RefState(new_id, state.created, state.expires, state.meta)
        if repo.storage.ref_swap("heads", into, target_id, new_state, journal if base_id != target_id else [],
                                 durable=repo.durability == "full"):
            return new_id
    raise ConflictError(f'branch "{into}" kept moving; merge not applied, retry it')


def three_way(repo: "Repository", base_id: str | None, target_id: str, source_id: str, strategy: str):
    base = repo.snapshot(base_id) if base_id else None
    target, source = repo.snapshot(target_id), repo.snapshot(source_id)
    base_tables = base.tables if base else {}
    reader = RowReader(repo)  # base files are read once for both sides
    tables: dict[str, Manifest] = {}
    conflicts: list[dict] = []
    for name in sorted(set(base_tables) | set(target.tables) | set(source.tables)):
        b, t, s = base_tables.get(name), target.tables.get(name), source.tables.get(name)
        merged = _merge_table(repo, name, b, t, s, strategy, conflicts, reader)
        if merged is not None:
            tables[name] = merged
    views = dict(target.views)
    base_views = base.views if base else {}
    for name in set(base_views) | set(source.views):
        if source.views.get(name) != base_views.get(name):
            if target.views.get(name) != base_views.get(name) and target.views.get(name) != source.views.get(name):
                conflicts.append({"table": name, "key": None, "kind": "view", "base": base_views.get(name),
                                  "ours": target.views.get(name), "theirs": source.views.get(name)})
                if strategy != "theirs":
                    continue
            if name in source.views:
                views[name] = source.views[name]
            else:
                views.pop(name, None)
    return tables, views, conflicts


def _same(a: Manifest | None, b: Manifest | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and a.encoded[0] == b.encoded[0])


def _merge_table(repo, name, b, t, s, strategy, conflicts, reader: RowReader) -> Manifest | None:
    if _same(s, b):
        return t
    if _same(t, b) or _same(t, s):
        return s
    if t is None or s is None or b is None or not (t.table_id == s.table_id == b.table_id):
        conflicts.append({"table": name, "key": None, "kind": "table", "base": _describe(b), "ours": _describe(t),
                          "theirs": _describe(s)})
        return s if strategy == "theirs" else t
    schema_side = _merge_definition(b, t, s)
    if schema_side is None:
        conflicts.append({"table": name, "key": None, "kind": "schema", "base": str(b.schema), "ours": str(t.schema),
                          "theirs": str(s.schema)})
        schema_side = s if strategy == "theirs" else t
    return _merge_rows(repo, name, b, t, s, schema_side, strategy, conflicts, reader)


def _describe(m: Manifest | None) -> str | None:
    return None if m is None else f"table {m.table_id} ({m.row_count} rows)"


def _definition(m: Manifest) -> tuple:
    return (m.schema, m.primary_key, m.constraints, m.indexes, m.properties)


def _merge_definition(b: Manifest, t: Manifest, s: Manifest) -> Manifest | None:
    """Which side's schema and constraints win: the one that changed; None if both did, differently."""
    if _definition(s) == _definition(b) or _definition(s) == _definition(t):
        return t
    if _definition(t) == _definition(b):
        return s
    return None


def _side(rc) -> dict:
    """key -> (kind, index into rc.old or None, index into rc.new or None) for one side's changes."""
    out = {}
    old_keys = key_tuples(rc.old, rc.key) if rc.old.num_rows else []
    new_keys = key_tuples(rc.new, rc.key) if rc.new.num_rows else []
    for i in rc.removed.tolist():
        out[old_keys[i]] = ("delete", i, None)
    for j in rc.added.tolist():
        out[new_keys[j]] = ("insert", None, j)
    for i, j in zip(*(x.tolist() for x in rc.changed)):
        out[new_keys[j]] = ("update", i, j)
    return out


def _row(table, index: int | None) -> dict | None:
    if index is None:
        return None
    row = table.slice(index, 1).to_pylist()[0]
    return {k: v for k, v in row.items() if k not in (ROWID, FILE_COLUMN)}


def _base_row(reader: RowReader, base: Manifest, narrow, index: int | None) -> dict | None:
    """The base version of a conflicting row: merge read it narrow, so fetch its values now."""
    return None if index is None else _row(reader.full(narrow.slice(index, 1), base), 0)


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
            conflicts.append({"table": name, "key": key, "kind": f"{o_kind}/{kind}",
                              "base": _base_row(reader, b, theirs_rc.old, i) if i is not None
                              else _base_row(reader, b, ours_rc.old, o_i),
                              "ours": ours_row, "theirs": theirs_row})
            if strategy != "theirs":
                continue
        take.append(key)
    # the target's live copy of every taken key goes: ours' new row, else the base row (wherever
    # ours' compaction moved it); each row's file is known, so no file is searched
    moved = dict(zip(ours_rc.old.column(ROWID).take(ours_rc.same[0]).to_pylist(),
                     ours_rc.new.column(FILE_COLUMN).take(ours_rc.same[1]).to_pylist()))
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


__all__ = ["merge", "merge_base"]
