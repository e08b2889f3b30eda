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

from .changes import live_keys
from .errors import MergeConflict, RefNotFound
from .objects import Commit, Manifest, object_path
from .rowchanges import RowChanges, public, table_changes
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
    raise RefNotFound(f'branch "{into}" kept moving; merge not applied')


def three_way(repo: "Repository", base_id: str | None, target_id: str, source_id: str, strategy: str):
    base = repo.snapshot(base_id) if base_id else None
    target, source = repo.snapshot(target_id), repo.snapshot(source_id)
    base_tables = base.tables if base else {}
    tables: dict[str, Manifest] = {}
    conflicts: list[dict] = []
    for name in sorted(set(base_tables) | set(target.tables) | set(source.tables)):
        b, t, s = base_tables.get(name), target.tables.get(name), source.tables.get(name)
        merged = _merge_table(repo, name, b, t, s, strategy, conflicts)
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


def _merge_table(repo, name, b, t, s, strategy, conflicts) -> Manifest | None:
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
    return _merge_rows(repo, name, b, t, s, schema_side, strategy, conflicts)


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


def _merge_rows(repo, name, b, t, s, definition: Manifest, strategy, conflicts) -> Manifest:
    ours: RowChanges = table_changes(repo.files, b, t)
    theirs: RowChanges = table_changes(repo.files, b, s)
    take: set = set()
    for key in theirs.keys():
        if key not in ours.keys():
            take.add(key)
            continue
        same_result = (key in ours.after) == (key in theirs.after) and (
            key not in ours.after or public(ours.after[key]) == public(theirs.after[key]))
        if same_result:
            continue
        conflicts.append({"table": name, "key": key, "kind": f"{ours.kind(key)}/{theirs.kind(key)}",
                          "base": public(theirs.before.get(key)), "ours": public(ours.after.get(key)),
                          "theirs": public(theirs.after.get(key))})
        if strategy == "theirs":
            take.add(key)
    files = list(t.files)
    # rows the source removed or replaced: delete the target's live copy
    remove = [key for key in take if key in theirs.before or key in ours.after]
    if remove:
        target_rowids = _target_rowids(repo, t, remove)
        if len(target_rowids):
            for index, entry in enumerate(files):
                hit = target_rowids[np.isin(target_rowids, repo.files.rowids(entry))]
                if len(entry.deleted):
                    hit = hit[~np.isin(hit, entry.deleted)]
                if len(hit):
                    files[index] = entry.with_deleted(hit)
    # rows the source added or rewrote: reuse its files, masking every row not taken
    wanted = {theirs.after_rowid[key] for key in take if key in theirs.after}
    target_ids = {f.id for f in t.files}
    for entry in s.files:
        if entry.id in target_ids or entry.id in {f.id for f in b.files}:
            continue
        rowids = repo.files.rowids(entry)
        mask = ~np.isin(rowids, np.fromiter(wanted, dtype=np.int64, count=len(wanted)))
        unwanted = rowids[mask]
        if len(unwanted) < len(rowids):
            files.append(entry.with_deleted(unwanted) if len(unwanted) else entry)
    return replace(definition, files=tuple(f for f in files if f.live_rows or not f.rows))


def _target_rowids(repo, t: Manifest, keys: list) -> np.ndarray:
    if not t.primary_key:
        return np.asarray([k for k in keys], dtype=np.int64)
    existing = live_keys(t, repo.files)
    return np.asarray([existing[k] for k in keys if k in existing], dtype=np.int64)


__all__ = ["merge", "merge_base"]
