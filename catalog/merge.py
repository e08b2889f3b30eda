"""Three-way merge of a source ref into a target branch, per table and per row.

The merge base is a best common ancestor, found by generation number without
walking the history (:mod:`catalog.ancestry`). A table changed on one side takes
that side; a table changed on both is merged row by row by primary key
(``_rowid`` without one). Only the source's changes since the base are read;
each changed key is then looked up in the target as it is now
(:mod:`catalog.keylookup`), so a merge costs what the source changed, however
much the target moved since the base. The source's new data files are reused as
they are, with deletion vectors masking the rows the merge does not take, so no
data is copied. Conflicts are returned as data; with the default strategy
nothing is written when there is any.
"""

from __future__ import annotations

import random
import time
import zlib
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from .compaction import LOCK_SLOTS
from .constraints import CheckEvaluator
from .datafiles import key_tuples
from .diff import FILE_COLUMN, RowReader, row_changes, same_values
from .errors import ConflictError, MergeConflict, RefNotFound
from .keylookup import live_locations
from .merge_constraints import settle, unsettled
from .objects import ROWID, Commit, Manifest, object_path
from .storage.base import RefState

if TYPE_CHECKING:
    from .repository import Repository

STRATEGIES = ("fail", "ours", "theirs")
MAX_ATTEMPTS = 100
RETRY_PAUSE_S = 0.002
CARRIED_COMMITS = 64  # of a source's commits since the base, at most this many ride in a merge's record


def merge_base(repo: "Repository", a: str, b: str) -> str | None:
    """A best common ancestor of commits ``a`` and ``b`` (see :class:`catalog.ancestry.Ancestry`)."""
    return repo.ancestry.merge_base(a, b)


def merge(
    repo: "Repository",
    source: str,
    into: str,
    strategy: str = "fail",
    author: str = "",
    message: str | None = None,
    check_evaluator: CheckEvaluator | None = None,
) -> str:
    """Merge ``source`` (any ref) into branch ``into``; returns the commit ``into`` points at after.

    ``strategy``: ``fail`` raises :class:`MergeConflict` (nothing written); ``ours``
    keeps the target's version of conflicting rows; ``theirs`` takes the source's. Constraints
    the merged rows would break are conflicts too (:mod:`catalog.merge_constraints`);
    ``check_evaluator`` evaluates CHECK constraints.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}")
    source_id = repo.resolve_durably(source)  # the merge's record will point at the source's commits
    reader = MergeReader(repo)  # an attempt after the target moved reuses the source's changes
    # Mergers into one branch take turns: each would otherwise compute its merge, lose the swap to
    # another and compute it again (about three times each with 8 processes merging at once).
    # Correctness stays with the swap: a commit that does not merge can still move the branch.
    with repo.storage.try_exclusive(f"merge.{zlib.crc32(into.encode()) % LOCK_SLOTS}", wait=True):
        carried = None
        for attempt in range(MAX_ATTEMPTS):
            state = repo.storage.ref_get("heads", into)
            if state is None:
                raise RefNotFound(f'branch "{into}" does not exist')
            target_id = state.commit
            base_id = merge_base(repo, source_id, target_id)
            if base_id == source_id:
                return target_id  # already contains everything from the source
            if base_id == target_id:
                new_id, journal = source_id, []  # fast-forward
            else:
                tables, views, extensions, types, sequences, conflicts = three_way(
                    repo, base_id, target_id, source_id, strategy, reader
                )
                tables = settle(
                    repo.files, repo.snapshot_at(target_id).tables, tables, strategy, conflicts, check_evaluator
                )
                if conflicts and (strategy == "fail" or unsettled(conflicts)):
                    raise MergeConflict(
                        f"merging {source} into {into}: {len(conflicts)} conflicting row(s) in "
                        f"{', '.join(sorted({c['table'] for c in conflicts}))}; choose strategy 'ours' or 'theirs' "
                        "or resolve them on a branch",
                        conflicts,
                    )
                generation = 1 + max(repo.ancestry.generation(target_id), repo.ancestry.generation(source_id))
                commit = Commit(
                    (target_id, source_id),
                    {},
                    author,
                    message or f"merge {source} into {into}",
                    time.time(),
                    {"merge": {"source": source, "base": base_id, "strategy": strategy}},
                    views,
                    generation,
                    extensions,
                    ancestry=repo.ancestry.since(base_id, source_id, CARRIED_COMMITS),
                    types=types,
                    sequences=sequences,
                )
                journal = []
                for name, manifest in tables.items():
                    manifest_id, payload = manifest.encoded
                    commit.tables[name] = manifest_id
                    journal.append((object_path(manifest_id), payload))
                new_id, payload = commit.encoded
                journal.append((object_path(new_id), payload))
                for path, data in journal:
                    repo.storage.stage(path, data)
            new_state = RefState(new_id, state.created, state.expires, state.meta)
            if carried is None or carried[0] != base_id:
                carried = (base_id, carried_objects(repo, base_id, source_id))  # once, unless the base moves
            if repo.storage.ref_swap(
                "heads", into, target_id, new_state, journal + carried[1], durable=repo.durability == "full"
            ):
                if base_id != target_id:
                    repo.remember(new_id, commit, tables)
                repo.changed(into)
                return new_id
            repo.storage.unstage(path for path, _data in journal)
            # the target moved: the merge is computed again on its new head (only the source's changed
            # keys are looked up there), after a random pause so racing mergers spread out
            time.sleep(random.uniform(0, RETRY_PAUSE_S * (attempt + 1)))
        raise ConflictError(f'branch "{into}" kept moving; merge not applied, retry it')


def carried_objects(repo: "Repository", base_id: str | None, source_id: str) -> list[tuple[str, bytes]]:
    """The source's commits since the base, their manifests and the data files they added, as bytes,
    for the target's record to carry where a store journals objects (``held``; on others nothing is
    carried, and nothing is walked).

    An agent's branch is deleted right after it merges, and its objects leave with its journal for a
    pack that other processes have not read: every process's next merge into the target (walking the
    newly merged commits for its merge base) and its next read of those files would each miss and read
    every journal and pack again. Carried in the target's record, they reach every reader of the
    target with it; and the source's deletion need not pack what the target's record holds. The walk
    is bounded: what it leaves out is found the slow way (and packed)."""
    if base_id is None or repo.storage.held(object_path(source_id)) is None:
        return []  # no journal holds the source's head: an object store, or a head long written out
    floor = repo.ancestry.generation(base_id)
    base = repo.snapshot_at(base_id)
    base_files = {f.id for manifest in base.tables.values() for f in manifest.files}
    base_manifests = set(base.commit.tables.values())
    paths, seen, stack = [], set(), [source_id]
    while stack and len(seen) < CARRIED_COMMITS:
        commit_id = stack.pop()
        if commit_id in seen or repo.ancestry.generation(commit_id) <= floor:
            continue
        seen.add(commit_id)
        commit = repo.commit(commit_id)
        paths.append(object_path(commit_id))
        paths += [object_path(m) for m in commit.tables.values() if m not in base_manifests]
        stack.extend(commit.parents)
    source = repo.snapshot_at(source_id)
    paths += [f.path for manifest in source.tables.values() for f in manifest.files if f.id not in base_files]
    return [(path, data) for path in paths if (data := repo.storage.held(path)) is not None]


class MergeReader(RowReader):
    """A :class:`RowReader` kept for every attempt of one merge: files are read once, and the source's
    changes since a base are computed once (they do not depend on where the target is)."""

    def __init__(self, repo: "Repository") -> None:
        super().__init__(repo)
        self._theirs: dict[tuple[str, str], tuple] = {}

    def theirs(self, base: Manifest, source: Manifest) -> tuple:
        """The source's row changes since the base, and them by key (:func:`_side`)."""
        key = (base.encoded[0], source.encoded[0])
        if key not in self._theirs:
            changes = row_changes(base, source, self, values=False)
            self._theirs[key] = (changes, _side(changes))
        return self._theirs[key]


def three_way(
    repo: "Repository",
    base_id: str | None,
    target_id: str,
    source_id: str,
    strategy: str,
    reader: "MergeReader | None" = None,
):
    base = repo.snapshot_at(base_id) if base_id else None
    target, source = repo.snapshot_at(target_id), repo.snapshot_at(source_id)
    base_tables = base.tables if base else {}
    reader = reader or MergeReader(repo)  # base files are read once for both sides
    tables: dict[str, Manifest] = {}
    conflicts: list[dict] = []
    for name in sorted(set(base_tables) | set(target.tables) | set(source.tables)):
        b, t, s = base_tables.get(name), target.tables.get(name), source.tables.get(name)
        merged = _merge_table(repo, name, b, t, s, strategy, conflicts, reader)
        if merged is not None:
            tables[name] = merged
    views = _merge_named(base.views if base else {}, target.views, source.views, "view", strategy, conflicts)
    extensions = _merge_named(
        base.extensions if base else {}, target.extensions, source.extensions, "extension", strategy, conflicts
    )
    types = _merge_named(base.types if base else {}, target.types, source.types, "type", strategy, conflicts)
    sequences = _merge_named(
        base.sequences if base else {}, target.sequences, source.sequences, "sequence", strategy, conflicts
    )
    return tables, views, extensions, types, sequences, conflicts


def _merge_named(base: dict, ours: dict, theirs: dict, kind: str, strategy: str, conflicts: list[dict]) -> dict:
    """Three-way merge of a commit-level mapping (views, extensions, types, sequences): the source's changes apply
    where the target left the entry as the base had it; both changing it differently is a conflict
    of ``kind``, settled by the strategy ('theirs' takes the source's, others keep the target's)."""
    merged = dict(ours)
    for name in set(base) | set(theirs):
        if theirs.get(name) != base.get(name):
            if ours.get(name) != base.get(name) and ours.get(name) != theirs.get(name):
                conflicts.append(
                    {
                        "table": name,
                        "key": None,
                        "kind": kind,
                        "base": base.get(name),
                        "ours": ours.get(name),
                        "theirs": theirs.get(name),
                    }
                )
                if strategy != "theirs":
                    continue
            if name in theirs:
                merged[name] = theirs[name]
            else:
                merged.pop(name, None)
    return merged


def _same(a: Manifest | None, b: Manifest | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and a.encoded[0] == b.encoded[0])


def _merge_table(repo, name, b, t, s, strategy, conflicts, reader: MergeReader) -> Manifest | None:
    if _same(s, b):
        return t
    if _same(t, b) or _same(t, s):
        return s
    if t is None or s is None or b is None or not (t.table_id == s.table_id == b.table_id):
        conflicts.append(
            {
                "table": name,
                "key": None,
                "kind": "table",
                "base": _describe(b),
                "ours": _describe(t),
                "theirs": _describe(s),
            }
        )
        return s if strategy == "theirs" else t
    schema_side = _merge_definition(b, t, s)
    if schema_side is None:
        conflicts.append(
            {
                "table": name,
                "key": None,
                "kind": "schema",
                "base": str(b.schema),
                "ours": str(t.schema),
                "theirs": str(s.schema),
            }
        )
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


def _merge_rows(repo, name, b, t, s, definition: Manifest, strategy, conflicts, reader: MergeReader) -> Manifest:
    """Take the source's row changes since the base, each checked against the target by key lookup."""
    theirs_rc, theirs = reader.theirs(b, s)
    located = live_locations(t, theirs_rc.key, list(theirs), repo.files)
    old_files, old_rowids = theirs_rc.old.column(FILE_COLUMN), theirs_rc.old.column(ROWID)
    new_files, new_rowids = theirs_rc.new.column(FILE_COLUMN), theirs_rc.new.column(ROWID)
    doomed: dict[str, list[int]] = {}  # the target's live copy of every taken key goes
    wanted: dict[str, list[int]] = {}  # the source's rows that come
    for key, (kind, i, j) in theirs.items():
        here = located.get(key)
        base_at = None if i is None else (old_files[i].as_py(), old_rowids[i].as_py())
        elsewhere = here is not None and (here[0].id, here[1]) != base_at  # not the base row: read it
        ours_rows = reader.rows(here[0], t, np.array([here[1]], dtype=np.int64)) if elsewhere else None
        ours_kind = _ours_kind(reader, b, t, theirs_rc.old, i, base_at, here, ours_rows)
        if ours_kind is not None:
            ours_row, theirs_row = _row(ours_rows, 0 if elsewhere else None), _row(theirs_rc.new, j)
            if ours_row == theirs_row:
                continue  # both sides made the same change
            conflicts.append(
                {
                    "table": name,
                    "key": key,
                    "kind": f"{ours_kind}/{kind}",
                    "base": _base_row(reader, b, theirs_rc.old, i),
                    "ours": ours_row,
                    "theirs": theirs_row,
                }
            )
            if strategy != "theirs":
                continue
        if here is not None:
            doomed.setdefault(here[0].id, []).append(here[1])
        if j is not None:
            wanted.setdefault(new_files[j].as_py(), []).append(new_rowids[j].as_py())
    files = [f.with_deleted(np.asarray(doomed[f.id], dtype=np.int64)) if f.id in doomed else f for f in t.files]
    # rows the source added or rewrote: reuse its files, masking every row not taken
    known = {f.id for f in t.files} | {f.id for f in b.files}
    for entry in s.files:
        if entry.id in known or entry.id not in wanted:
            continue
        rowids = repo.files.rowids(entry)
        unwanted = rowids[~np.isin(rowids, np.asarray(wanted[entry.id], dtype=np.int64))]
        files.append(entry.with_deleted(unwanted) if len(unwanted) else entry)
    return replace(definition, files=tuple(f for f in files if f.live_rows or not f.rows))


def _ours_kind(
    reader: RowReader,
    b: Manifest,
    t: Manifest,
    base_rows,
    i: int | None,
    base_at: tuple | None,
    here: tuple | None,
    ours_rows,
) -> str | None:
    """How the target changed a key since the base: None (unchanged), insert, update or delete.

    The base row unchanged is the same row still live in the same file, or a row compaction moved
    with the base's values; any other live row under the key was written by the target.
    """
    if base_at is None:
        return None if here is None else "insert"
    if here is None:
        return "delete"
    if (here[0].id, here[1]) == base_at:
        return None
    if here[0].origin == "compaction" and same_values(reader.full(base_rows.slice(i, 1), b), ours_rows, b, t)[0]:
        return None
    return "update"


__all__ = ["merge", "merge_base"]
