"""Table changes as replayable operations.

A transaction records what it did as operations, applies them to its own view
at once, and replays them on the branch head if another commit landed first.
Replaying is where concurrent writers meet: an operation that cannot be applied
unchanged to the new head is a conflict (SQLSTATE 40001), never a silent merge.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from .errors import ConflictError, TableExists, TableNotFound
from .objects import ROWID, DataFile, Manifest

if TYPE_CHECKING:
    from .datafiles import FileReader


@dataclass
class ApplyContext:
    """What an operation needs besides the state: file access and, on replay, the base."""

    files: "FileReader"
    base: dict[str, Manifest] | None = None  # set when replaying onto a moved head
    own: frozenset[str] = frozenset()
    """Ids of the files the replayed transaction wrote: its rows there are its own to change."""

    @property
    def replaying(self) -> bool:
        return self.base is not None


def _table(state: dict[str, Manifest], name: str) -> Manifest:
    try:
        return state[name]
    except KeyError:
        raise TableNotFound(f'relation "{name}" does not exist') from None


def _same_table_as_base(state, name: str, ctx: ApplyContext, *, unchanged: bool) -> Manifest:
    """On replay, the head's table must be ours (and, if asked, untouched since the base)."""
    current = _table(state, name) if not ctx.replaying else state.get(name)
    if ctx.replaying:
        base = ctx.base.get(name)
        if current is None or base is None or current.table_id != base.table_id:
            raise ConflictError(f'table "{name}" was dropped or replaced by a concurrent commit')
        if unchanged and current is not base and current.encoded[0] != base.encoded[0]:
            raise ConflictError(f'table "{name}" was changed by a concurrent commit')
    return current


@dataclass(frozen=True)
class CreateTable:
    name: str
    manifest: Manifest

    def apply(self, state, ctx: ApplyContext) -> None:
        if self.name in state:
            if ctx.replaying:
                raise ConflictError(f'table "{self.name}" was created by a concurrent commit')
            raise TableExists(f'relation "{self.name}" already exists')
        state[self.name] = self.manifest


@dataclass(frozen=True)
class DropTable:
    name: str

    def apply(self, state, ctx: ApplyContext) -> None:
        _same_table_as_base(state, self.name, ctx, unchanged=True)
        del state[self.name]


@dataclass(frozen=True)
class RenameTable:
    old: str
    new: str

    def apply(self, state, ctx: ApplyContext) -> None:
        manifest = _same_table_as_base(state, self.old, ctx, unchanged=False)
        if self.new in state:
            if ctx.replaying:
                raise ConflictError(f'table "{self.new}" was created by a concurrent commit')
            raise TableExists(f'relation "{self.new}" already exists')
        del state[self.old]
        state[self.new] = manifest


@dataclass(frozen=True)
class AlterTable:
    """Schema, constraints or index definitions replaced as a whole (no data rewritten)."""

    name: str
    before: Manifest
    after: Manifest

    def apply(self, state, ctx: ApplyContext) -> None:
        current = _same_table_as_base(state, self.name, ctx, unchanged=False)
        if ctx.replaying and (
            current.schema != self.before.schema
            or current.constraints != self.before.constraints
            or current.indexes != self.before.indexes
        ):
            raise ConflictError(f'the definition of table "{self.name}" was changed by a concurrent commit')
        state[self.name] = replace(
            current,
            schema=self.after.schema,
            next_field_id=self.after.next_field_id,
            constraints=self.after.constraints,
            indexes=self.after.indexes,
            properties=self.after.properties,
            primary_key=self.after.primary_key,
        )


@dataclass(frozen=True)
class Append:
    """New rows, already written as data files."""

    name: str
    files: tuple[DataFile, ...]
    schema_seen: object  # the table schema the rows were written for

    def apply(self, state, ctx: ApplyContext) -> None:
        current = _same_table_as_base(state, self.name, ctx, unchanged=False)
        if current.schema != self.schema_seen:
            raise ConflictError(f'the columns of table "{self.name}" changed concurrently; retry the transaction')
        state[self.name] = replace(current, files=current.files + self.files)


@dataclass(frozen=True)
class Delete:
    """Rows removed by rowid; an update is a Delete plus an Append keeping the rowids."""

    name: str
    rowids: np.ndarray

    def apply(self, state, ctx: ApplyContext) -> None:
        current = _same_table_as_base(state, self.name, ctx, unchanged=False)
        located = locate(current, self.rowids, ctx.files)
        found = sum(len(ids) for ids in located.values())
        if found != len(self.rowids):
            if ctx.replaying:
                raise ConflictError(
                    f'rows of table "{self.name}" were updated or deleted by a concurrent commit; retry the transaction'
                )
            raise ValueError("rowids to delete are not live in the table")
        if ctx.replaying:
            _check_not_moved(current, ctx.base[self.name], located, self.name, ctx)
        files = list(current.files)
        for index, ids in located.items():
            files[index] = files[index].with_deleted(ids)
        state[self.name] = replace(current, files=tuple(files))


@dataclass(frozen=True)
class ReplaceFiles:
    """Compaction: the same live rows, rewritten into fewer files."""

    name: str
    old: tuple[DataFile, ...]
    new: tuple[DataFile, ...]

    def apply(self, state, ctx: ApplyContext) -> None:
        current = _same_table_as_base(state, self.name, ctx, unchanged=False)
        by_id = {f.id: f for f in current.files}
        since: list[np.ndarray] = []  # rows deleted from the old files while they were rewritten
        for f in self.old:
            now = by_id.get(f.id)
            if now is None or not np.all(np.isin(f.deleted, now.deleted)):
                raise ConflictError(f'files of table "{self.name}" changed during compaction')
            since.append(np.setdiff1d(now.deleted, f.deleted))
        gone = {f.id for f in self.old}
        kept = tuple(f for f in current.files if f.id not in gone)
        late = np.concatenate(since) if since else np.empty(0, dtype=np.int64)
        new = _carry_deletes(self.new, late, ctx.files) if len(late) else self.new
        state[self.name] = replace(current, files=kept + new)


def _carry_deletes(files: tuple[DataFile, ...], rowids: np.ndarray, reader: "FileReader") -> tuple[DataFile, ...]:
    """Rowids survive compaction, so a delete (or the delete half of an update or merge) that
    landed on an old file applies to the rewritten copy of the row: writers never wait for
    compaction, and compaction never loses their changes."""
    rowids, out, placed = np.unique(rowids), [], 0
    for entry in files:
        inside = rowids[(rowids >= entry.rowid_min) & (rowids <= entry.rowid_max)]
        found = inside[reader.positions(entry, inside) >= 0] if len(inside) else inside
        placed += len(found)
        out.append(entry.with_deleted(found) if len(found) else entry)
    if placed != len(rowids):
        raise ConflictError("rows deleted during compaction are missing from its files")
    return tuple(out)


@dataclass(frozen=True)
class SetViews:
    views: dict
    before: dict

    def apply(self, state, ctx: ApplyContext) -> None:
        views = state.setdefault("__views__", {})
        if ctx.replaying:
            for name in set(self.views) | set(self.before):
                if views.get(name) != self.before.get(name):
                    raise ConflictError(f'view "{name}" was changed by a concurrent commit')
        views.clear()
        views.update(self.views)


@dataclass(frozen=True)
class SetEntries:
    """CREATE / DROP EXTENSION and TYPE: one of the branch's commit-level mappings (``slot``, as
    ``"__extensions__"``), name -> definition. Only the entries this transaction changed are
    applied, so a replay keeps what a concurrent commit added beside them; one it changed too is a
    conflict, reported as a ``kind`` ("extension", "type")."""

    slot: str
    kind: str
    entries: dict
    before: dict

    def apply(self, state, ctx: ApplyContext) -> None:
        current = state.setdefault(self.slot, {})
        for name in set(self.entries) | set(self.before):
            if self.entries.get(name) == self.before.get(name):
                continue
            if ctx.replaying and current.get(name) != self.before.get(name):
                raise ConflictError(f'{self.kind} "{name}" was changed by a concurrent commit')
            if name in self.entries:
                current[name] = self.entries[name]
            else:
                current.pop(name, None)


def locate(manifest: Manifest, rowids: np.ndarray, files: "FileReader") -> dict[int, np.ndarray]:
    """Which file holds each live rowid: index of the file -> rowids found there."""
    rowids = _sorted_unique(np.asarray(rowids, dtype=np.int64))
    return {index: rowids[inside] for index, inside, _ in locate_each(manifest, rowids, files)}


def locate_each(
    manifest: Manifest, rowids: np.ndarray, files: "FileReader"
) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """For each file holding some of ``rowids`` live: (index of the file, where those rowids sit in
    ``rowids``, their positions in the file). ``rowids`` keep their order and may repeat; one whose
    older version sits deleted in another file is found where it lives now."""
    rowids = np.asarray(rowids, dtype=np.int64)
    out: list[tuple[int, np.ndarray, np.ndarray]] = []
    if not len(rowids):
        return out
    lo, hi = rowids.min(), rowids.max()
    unplaced = np.ones(len(rowids), dtype=bool)
    for index, f in enumerate(manifest.files):
        if f.rowid_max < lo or f.rowid_min > hi or not f.live_rows:
            continue
        inside = np.flatnonzero((rowids >= f.rowid_min) & (rowids <= f.rowid_max) & unplaced)
        at = files.positions(f, rowids[inside])
        keep = at >= 0
        if len(f.deleted):
            keep &= ~_in_sorted(rowids[inside], f.deleted)
        if keep.any():
            out.append((index, inside[keep], at[keep]))
            unplaced[inside[keep]] = False
    return out


def _in_sorted(values: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """``np.isin(values, ordered)`` for an ascending ``ordered`` (deletion vectors are kept sorted)
    by binary search: np.isin sorts both sides on every call, ~25 us for the one rowid an update
    by key locates against a file's handful of deleted rowids, against ~2 us."""
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return ordered[at] == values


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` by sorting: numpy 2's hashing ``unique`` is ten times slower on the
    thousands of rowids a batch search locates."""
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if len(ordered) else ordered


def _check_not_moved(
    current: Manifest, base: Manifest, located: dict[int, np.ndarray], name: str, ctx: ApplyContext
) -> None:
    """A row that now lives in a file neither the base nor the transaction had was rewritten by
    someone else — unless compaction moved it and its values are still the base's (an update
    compaction then folded in is not)."""
    known = {f.id for f in base.files} | ctx.own
    for index, ids in located.items():
        f = current.files[index]
        if f.id in known:
            continue
        if f.origin != "compaction" or _rows(current, ids, ctx.files) != _rows(base, ids, ctx.files):
            raise ConflictError(f'rows of table "{name}" were updated by a concurrent commit; retry the transaction')


def _rows(manifest: Manifest, rowids: np.ndarray, files: "FileReader") -> list[dict]:
    """The live rows with these rowids, in rowid order."""
    parts = []
    for index, ids in locate(manifest, rowids, files).items():
        entry = manifest.files[index]
        parts.append(files.read(entry, manifest, positions=files.positions(entry, ids)))
    return pa.concat_tables(parts).sort_by(ROWID).to_pylist() if parts else []


def live_keys(manifest: Manifest, files: "FileReader", exclude: set[str] = frozenset()) -> dict:
    """Primary key -> rowid of every live row, built from cached per-file key maps."""
    out: dict = {}
    for f in manifest.files:
        if f.id in exclude or not f.live_rows:
            continue
        keys, dead = files.key_index(f, manifest), _dead(f)
        out.update({k: r for k, r in keys.items() if r not in dead} if dead else keys)
    return out


def _dead(f: DataFile) -> set:
    return set(f.deleted.tolist()) if len(f.deleted) else set()


def outside(stat: tuple, lo, hi) -> bool:
    try:
        return stat[1] < lo or stat[0] > hi
    except TypeError:
        return False
