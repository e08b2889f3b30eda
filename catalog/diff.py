"""Row-level differences between two versions of a table, found at the file level.

Data files are immutable and shared between versions, so a file present on both
sides with the same deletion vector holds the same live rows there and is never
read. Only rows live on one side and not the other are read; they are matched by
primary key (``_rowid`` without one) and compared by value, so rows that
compaction moved unchanged into new files are not reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .datafiles import key_tuples, missing_column
from .objects import ROWID, DataFile, Manifest, field_id

if TYPE_CHECKING:
    from .repository import Repository

FILE_COLUMN = "__file"
PICK_SHARE = 8  # rows asked for from a file below 1/8 of it are picked by position, not filtered
DECODED_FILE_BYTES = 8 << 20
SMALL_MATCH_ROWS = 4096


@dataclass
class TableDiff:
    """What changed in one table from side a to side b (added and removed rows keep their ``_rowid``)."""

    table: str
    added: pa.Table
    removed: pa.Table
    changed: pa.Table  # key columns, then struct columns ``old`` and ``new``
    schema_changed: bool = False
    counts: dict = field(init=False)

    def __post_init__(self) -> None:
        self.counts = {"added": self.added.num_rows, "removed": self.removed.num_rows, "changed": self.changed.num_rows}


@dataclass
class RowChanges:
    """Rows live only on side a (``old``) or only on side b (``new``), matched by key.

    ``old``/``new`` carry ``_rowid`` and ``__file`` (the id of the file holding the row).
    Index arrays point into them: removed (old only), added (new only),
    changed/same (pairs present on both sides, different or equal values).
    """

    key: list[str]
    old: pa.Table
    new: pa.Table
    removed: np.ndarray
    added: np.ndarray
    changed: tuple[np.ndarray, np.ndarray]
    same: tuple[np.ndarray, np.ndarray]


def key_columns(a: Manifest | None, b: Manifest | None) -> list[str]:
    """Rows are identified by primary key when both sides agree on one, else by ``_rowid``."""
    pks = {m.primary_key for m in (a, b) if m is not None}
    return list(pks.pop()) if len(pks) == 1 and next(iter(pks), ()) else [ROWID]


class RowReader:
    """Reads each data file at most once per diff or merge (base files are shared by both sides)."""

    def __init__(self, repo: "Repository") -> None:
        self.repo = repo
        self._raw: dict[str, pa.Table] = {}

    def rows(
        self, entry: DataFile, manifest: Manifest, rowids: np.ndarray | None, columns: list[str] | None = None
    ) -> pa.Table:
        """Live-or-not rows of ``entry`` (all, or only ``rowids``) in ``manifest``'s schema.

        With ``columns`` (the key), only those columns and ``_rowid`` are read: enough
        to know which keys changed without decoding every column of a large file.
        """
        cache_key = (entry.id, tuple(columns) if columns is not None else None)
        table = self._raw.get(cache_key)
        if table is None and rowids is not None and len(rowids) * PICK_SHARE < entry.rows:
            table = self._read(entry, manifest, columns, self._positions(entry, rowids))
        else:
            if table is None:
                table = self._raw[cache_key] = self._read(entry, manifest, columns, None)
            if rowids is not None:
                table = table.filter(pc.is_in(table.column(ROWID), value_set=pa.array(rowids, pa.int64())))
        return table.append_column(FILE_COLUMN, pa.array([entry.id] * table.num_rows, pa.string()))

    def _positions(self, entry: DataFile, rowids: np.ndarray) -> np.ndarray:
        """Where a few rows sit in a file, in file order; the file stays decoded in the process-wide
        cache when small, so the next merge touching it reads nothing."""
        if entry.size <= DECODED_FILE_BYTES:
            self.repo.files.table(entry)
        at = self.repo.files.positions(entry, rowids)
        return np.sort(at[at >= 0])

    def _read(
        self, entry: DataFile, manifest: Manifest, columns: list[str] | None, positions: np.ndarray | None
    ) -> pa.Table:
        files = self.repo.files
        if columns is not None:
            return files.read(entry, manifest, columns=columns, apply_deletes=False, positions=positions)
        return _conform_to(
            files.read(
                entry,
                manifest.__class__(
                    manifest.table_id,
                    _schema_for(manifest, entry),
                    manifest.primary_key,
                    (),
                    manifest.next_field_id,
                ),
                apply_deletes=False,
                positions=positions,
            ),
            manifest,
        )

    def full(self, narrow: pa.Table, manifest: Manifest) -> pa.Table:
        """Every column of rows read narrow (same order), fetched file by file."""
        entries = {f.id: f for f in manifest.files}
        parts = [
            self.rows(
                entries[fid],
                manifest,
                narrow.filter(pc.equal(narrow.column(FILE_COLUMN), fid)).column(ROWID).to_numpy(),
            )
            for fid in pc.unique(narrow.column(FILE_COLUMN)).to_pylist()
        ]
        fetched = pa.concat_tables(parts) if parts else narrow
        return fetched.take(pc.index_in(narrow.column(ROWID), value_set=fetched.column(ROWID)))


def _schema_for(manifest: Manifest, entry: DataFile) -> pa.Schema:
    """The manifest's fields that this file stores."""
    return pa.schema([f for f in manifest.schema if field_id(f) in entry.columns])


def _conform_to(table: pa.Table, manifest: Manifest) -> pa.Table:
    arrays, fields = [], []
    for f in manifest.schema:
        if f.name in table.column_names:
            col = table.column(f.name)
            arrays.append(col if col.type == f.type else col.cast(f.type))
        else:
            arrays.append(missing_column(manifest, f, table.num_rows))  # the file predates the column
        fields.append(f)
    arrays.append(table.column(ROWID))
    fields.append(pa.field(ROWID, pa.int64(), nullable=False))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _one_sided(
    a: Manifest | None, b: Manifest | None, reader: RowReader, narrow: list[str] | None = None
) -> tuple[pa.Table, pa.Table]:
    """Rows live in a but not in b, and rows live in b but not in a (as (file, rowid) pairs).

    With ``narrow``, a's rows carry only those columns (plus ``_rowid`` and ``__file``).
    """
    a_files = {f.id: f for f in a.files} if a else {}
    b_files = {f.id: f for f in b.files} if b else {}

    def collect(this: dict, other: dict, manifest: Manifest | None, columns: list[str] | None) -> pa.Table:
        parts = []
        for fid, f in this.items():
            twin = other.get(fid)
            if twin is None:
                if f.live_rows:
                    rows = reader.rows(f, manifest, None, columns)
                    if len(f.deleted):
                        rows = rows.filter(pc.invert(pc.is_in(rows.column(ROWID), value_set=pa.array(f.deleted))))
                    parts.append(rows)
            elif not np.array_equal(f.deleted, twin.deleted):
                only_here = np.setdiff1d(twin.deleted, f.deleted)  # deleted there, live here
                if len(only_here):
                    parts.append(reader.rows(f, manifest, only_here, columns))
        if not parts:
            manifest = manifest or a or b  # a missing side reads as an empty table of the other's schema
            empty = _conform_to(
                pa.schema(list(manifest.schema) + [pa.field(ROWID, pa.int64())]).empty_table(), manifest
            ).append_column(FILE_COLUMN, pa.array([], pa.string()))
            return empty if columns is None else empty.select(columns + [ROWID, FILE_COLUMN])
        return pa.concat_tables(parts)

    return collect(a_files, b_files, a, narrow), collect(b_files, a_files, b, None)


def same_values(old: pa.Table, new: pa.Table, a: Manifest | None, b: Manifest | None) -> np.ndarray:
    """Per pair of rows, whether every column both schemas share (by field id) is equal."""
    equal = np.ones(old.num_rows, dtype=bool)
    if a is None or b is None or not old.num_rows:
        return equal
    b_names = {field_id(f): f.name for f in b.schema}
    for f in a.schema:
        other = b_names.get(field_id(f))
        if other is None:
            continue
        x, y = old.column(f.name), new.column(other)
        if x.type != y.type:
            y = y.cast(x.type)
        try:
            eq = pc.equal(x, y)
            both_null = pc.and_(pc.is_null(x), pc.is_null(y))
            if pa.types.is_floating(x.type):
                both_null = pc.or_(both_null, pc.and_(pc.is_nan(x), pc.is_nan(y)))
            same = pc.fill_null(pc.or_kleene(eq, both_null), False).to_numpy(zero_copy_only=False)
        except pa.ArrowNotImplementedError:  # nested types: compare as Python values
            same = np.array([p == q for p, q in zip(x.to_pylist(), y.to_pylist())], dtype=bool)
        equal &= same
    return equal


def _matching(old: pa.Table, new: pa.Table, key: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (into old, into new) of rows with equal keys (keys are unique on each side).

    A merge's one-sided rows are usually a handful, where a dictionary beats starting a hash join.
    """
    if old.num_rows + new.num_rows <= SMALL_MATCH_ROWS:
        at = {k: j for j, k in enumerate(key_tuples(new, key))}
        pairs = [(i, at[k]) for i, k in enumerate(key_tuples(old, key)) if k in at]
        return (np.array([p[0] for p in pairs], dtype=np.int64), np.array([p[1] for p in pairs], dtype=np.int64))
    left = old.select(key).append_column("__i", pa.array(np.arange(old.num_rows)))
    right = new.select(key).append_column("__j", pa.array(np.arange(new.num_rows)))
    joined = left.join(right, key, join_type="inner")
    return joined.column("__i").to_numpy(), joined.column("__j").to_numpy()


def row_changes(a: Manifest | None, b: Manifest | None, reader: RowReader, values: bool = True) -> RowChanges:
    """Match the one-sided rows of a and b by key and classify them.

    With ``values=False`` a's rows are read narrow (key and ``_rowid`` only): a
    matched row that b wrote is an update; only rows b's compaction moved are
    compared by value. Merge uses this so a huge base file is never decoded whole.
    """
    key = key_columns(a, b)
    old, new = _one_sided(a, b, reader, None if values else [k for k in key if k != ROWID])
    empty = np.empty(0, dtype=np.int64)
    if not old.num_rows or not new.num_rows:
        return RowChanges(
            key, old, new, np.arange(old.num_rows), np.arange(new.num_rows), (empty, empty), (empty, empty)
        )
    i, j = _matching(old, new, key)
    if values:
        same = same_values(old.take(i), new.take(j), a, b)
    else:
        moved_files = {f.id for f in b.files if f.origin == "compaction"}
        moved = np.isin(new.column(FILE_COLUMN).take(j).to_numpy(zero_copy_only=False), list(moved_files))
        same = np.zeros(len(i), dtype=bool)
        if moved.any():
            same[moved] = same_values(reader.full(old.take(i[moved]), a), new.take(j[moved]), a, b)
    removed = np.setdiff1d(np.arange(old.num_rows), i)
    added = np.setdiff1d(np.arange(new.num_rows), j)
    return RowChanges(key, old, new, removed, added, (i[~same], j[~same]), (i[same], j[same]))


def _public(rows: pa.Table) -> pa.Table:
    return rows.drop_columns([FILE_COLUMN])


def _struct(rows: pa.Table) -> pa.Array:
    rows = rows.combine_chunks()
    return pa.StructArray.from_arrays([c.combine_chunks() for c in rows.columns], rows.column_names)


def table_diff(name: str, a: Manifest | None, b: Manifest | None, reader: RowReader) -> TableDiff:
    rc = row_changes(a, b, reader)
    i, j = rc.changed
    old, new = _public(rc.old).take(i), _public(rc.new).take(j)
    changed = new.select(rc.key)
    changed = changed.append_column("old", _struct(old)).append_column("new", _struct(new))
    schema_changed = (a is None) != (b is None) or (
        a is not None and (a.schema != b.schema or a.primary_key != b.primary_key)
    )
    return TableDiff(name, _public(rc.new).take(rc.added), _public(rc.old).take(rc.removed), changed, schema_changed)


def diff(repo: "Repository", a: str, b: str) -> dict[str, TableDiff]:
    """Tables that differ between refs a and b, with their added, removed and changed rows."""
    left, right = repo.snapshot(a), repo.snapshot(b)
    reader = RowReader(repo)
    out = {}
    for name in sorted(set(left.tables) | set(right.tables)):
        ma, mb = left.tables.get(name), right.tables.get(name)
        if ma is not None and mb is not None and ma.encoded[0] == mb.encoded[0]:
            continue
        result = table_diff(name, ma, mb, reader)
        if result.schema_changed or any(result.counts.values()):
            out[name] = result
    return out


__all__ = ["RowChanges", "RowReader", "TableDiff", "diff", "key_columns", "row_changes", "same_values"]
