"""Which rows of a change break a constraint: the same check for a statement, a commit replayed
onto a moved head, a merge and ALTER TABLE ... ADD CONSTRAINT.

A change is two states of the repository's tables, ``before`` and ``after``. Rows are *added* when
they live in a file ``before`` did not have, *removed* when they were live ``before`` and are not
now. Only those are checked, and each key check is a lookup in cached per-file key maps
(:mod:`catalog.keylookup`), never a scan — except finding the rows that still reference a removed
key, which reads the referencing columns as PostgreSQL scans a referencing table without an index.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .changes import locate_each
from .constraints import CheckEvaluator, Constraint, table_constraints, unique_keys
from .datafiles import key_has_null, key_tuples
from .errors import CatalogError, CheckViolation, ForeignKeyViolation, NotNullViolation, UniqueViolation
from .keylookup import live_locations
from .objects import ROWID, Manifest

if TYPE_CHECKING:
    from .datafiles import FileReader

SQLSTATES = {"unique": "23505", "foreign_key": "23503", "check": "23514", "not_null": "23502"}


@dataclass
class Violation:
    """One broken constraint. ``incoming`` are (table, rowid) of the rows the change brought in
    (or, for a referenced key it removed, the removed row); ``existing`` the rows it collides with."""

    kind: str
    table: str
    constraint: str
    message: str
    detail: str
    key: Any = None
    incoming: list[tuple[str, int]] = field(default_factory=list)
    existing: list[tuple[str, int]] = field(default_factory=list)
    owner: str | None = None  # the table the constraint belongs to, when not ``table``

    @property
    def sqlstate(self) -> str:
        return SQLSTATES[self.kind]


def violation_error(violation: Violation) -> CatalogError:
    """The error of a violation's kind, carrying PostgreSQL's DETAIL line as ``detail``."""
    error = _ERRORS[violation.kind](violation.message)
    error.detail = violation.detail
    error.violation = violation
    return error


_ERRORS = {
    "unique": UniqueViolation,
    "foreign_key": ForeignKeyViolation,
    "check": CheckViolation,
    "not_null": NotNullViolation,
}


@dataclass
class Change:
    """The rows one table gained and lost between two states."""

    added: pa.Table  # live rows of new files, all columns plus _rowid
    removed: pa.Table  # rows no longer live, as they were
    existing: Manifest  # the table after, without the new files (where old keys live)


def find_violations(
    before: dict[str, Manifest],
    after: dict[str, Manifest],
    files: "FileReader",
    evaluate: CheckEvaluator | None,
    wanted: Callable[[Constraint], bool] = lambda c: True,
    *,
    new_origins: tuple[str, ...] = ("write",),
    not_null: bool = False,
    limit: int | None = 1,
) -> list[Violation]:
    """The violations of ``wanted`` constraints that going from ``before`` to ``after`` brings.

    ``new_origins``: which new files hold new rows (a transaction's compaction files hold rows that
    were already there; a merge's may not). ``not_null`` also checks NOT NULL (statements check it
    as they write). Stops after ``limit`` violations (None: all)."""
    out: list[Violation] = []
    declared: dict[str, list[Constraint]] = {}  # each table's constraints, parsed once per call

    def constraints_of(table: str) -> list[Constraint]:
        if table not in declared:
            declared[table] = table_constraints(after[table], table)
        return declared[table]

    for name, manifest in after.items():
        if _same(before.get(name), manifest):
            continue
        constraints = [c for c in constraints_of(name) if wanted(c)]
        keys = [k for k in unique_keys(manifest, name, constraints_of(name)) if wanted(k)]
        referencing = [
            (child, c)
            for child in after
            for c in constraints_of(child)
            if c.type == "f" and c.ref_table == name and wanted(c)
        ]
        check_added = not_null or bool(keys) or any(c.type in ("c", "f") for c in constraints)
        if not check_added and not referencing:
            continue  # nothing to hold the change against: its rows are not even read
        change = _change(before.get(name), manifest, files, new_origins, check_added, bool(referencing))
        if change is None:
            continue
        if change.added.num_rows:
            if not_null:
                out += _not_null(name, manifest, change)
            for key in keys:
                out += _unique(name, key, change, files)
            for c in constraints:
                if c.type == "c":
                    out += _check(name, c, change, evaluate)
                elif c.type == "f":
                    out += _references(name, c, change, after, files)
        if change.removed.num_rows:
            for child, c in referencing:
                out += _referenced(name, child, c, change, after, files)
        if limit is not None and len(out) >= limit:
            return out[:limit]
    return out


def raise_first(violations: list[Violation]) -> None:
    if violations:
        raise violation_error(violations[0])


def _same(a: Manifest | None, b: Manifest) -> bool:
    if a is b:
        return True
    if a is None or len(a.files) != len(b.files):
        return False
    if any(x.id != y.id or len(x.deleted) != len(y.deleted) for x, y in zip(a.files, b.files)):
        return False  # a write changed the file list: no need to encode both manifests to see it
    return a.encoded[0] == b.encoded[0]


def _change(
    before: Manifest | None, after: Manifest, files: "FileReader", new_origins, added_rows: bool, removed_rows: bool
) -> Change | None:
    """The rows ``after`` gained and lost against ``before``; only the side asked for is read (the
    other is left empty): a table no foreign key references never needs its removed rows."""
    old = {f.id: f for f in (before.files if before is not None else ())}
    new = [f for f in after.files if f.id not in old and f.live_rows]
    added = [files.read(f, after) for f in new if new_origins is None or f.origin in new_origins] if added_rows else []
    gone = []
    now = {f.id: f for f in after.files}
    for f in old.values() if removed_rows else ():
        kept = now.get(f.id)
        if kept is f:
            continue  # the same file, the same deletions
        rowids = np.setdiff1d(kept.deleted, f.deleted) if kept is not None else None
        if rowids is not None and not len(rowids):
            continue
        if rowids is None:
            gone.append(files.read(f, before))
        else:  # only the rows newly deleted, taken by position in file order (not the whole file)
            at = files.positions(f, rowids)
            gone.append(files.read(f, before, positions=np.sort(at[at >= 0])))
    if not added and not gone:
        return None
    new_ids = {f.id for f in new}
    return Change(
        _concat(added, after),
        _concat(gone, after),
        replace(after, files=tuple(f for f in after.files if f.id not in new_ids)),
    )


def _concat(parts: list[pa.Table], after: Manifest) -> pa.Table:
    """One table of ``parts`` (an empty one of ``after``'s columns when there are none); a single
    part, a statement's one new file, is taken as it is rather than cast and concatenated."""
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return pa.schema([*(f.with_nullable(True) for f in after.schema), pa.field(ROWID, pa.int64())]).empty_table()
    return pa.concat_tables(
        [p.cast(pa.schema([f.with_nullable(True) for f in p.schema])) for p in parts], promote_options="permissive"
    )


def failing_row_text(rows: pa.Table, index: int) -> str:
    values = [rows.column(i)[index].as_py() for i, name in enumerate(rows.column_names) if name != ROWID]
    return "Failing row contains (" + ", ".join("null" if v is None else _text(v) for v in values) + ")."


def _text(value) -> str:
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


def key_text(columns, key) -> str:
    """``(a, b)=(1, x)``, as PostgreSQL names a key in its messages."""
    values = key if isinstance(key, tuple) else (key,)
    return f"({', '.join(columns)})=({', '.join('null' if v is None else _text(v) for v in values)})"


def _keys(rows: pa.Table, columns) -> list:
    return key_tuples(rows, list(columns))


def _not_null(table: str, manifest: Manifest, change: Change) -> list[Violation]:
    out = []
    for f in manifest.schema:
        column = change.added.column(f.name)
        if not f.nullable and column.null_count:
            at = column.is_null().to_pylist().index(True)
            message = f'null value in column "{f.name}" of relation "{table}" violates not-null constraint'
            out.append(_added_row_violation("not_null", table, f.name, message, change, at))
    return out


def _added_row_violation(kind: str, table: str, constraint: str, message: str, change: Change, at: int) -> Violation:
    """A constraint that one row the change added breaks, with that row as DETAIL."""
    rowid = change.added.column(ROWID)[at].as_py()
    return Violation(kind, table, constraint, message, failing_row_text(change.added, at), None, [(table, rowid)])


def _unique(table: str, key: Constraint, change: Change, files: "FileReader") -> list[Violation]:
    columns = list(key.columns)
    keys = _keys(change.added, columns)
    rowids = change.added.column(ROWID).to_pylist()
    first: dict = {}
    out = []
    for index, k in enumerate(keys):
        if key_has_null(k) and not key.nulls_not_distinct:
            continue
        if k in first:
            out.append(_duplicate(table, key, k, [(table, rowids[index])], [(table, rowids[first[k]])]))
        else:
            first[k] = index
    for k, (entry, rowid) in live_locations(change.existing, columns, list(first), files).items():
        out.append(_duplicate(table, key, k, [(table, rowids[first[k]])], [(table, rowid)]))
    return out


def _duplicate(table: str, key: Constraint, k, incoming, existing) -> Violation:
    return Violation(
        "unique",
        table,
        key.name,
        f'duplicate key value violates unique constraint "{key.name}"',
        f"Key {key_text(key.columns, k)} already exists.",
        k,
        incoming,
        existing,
    )


def _check(table: str, c: Constraint, change: Change, evaluate: CheckEvaluator | None) -> list[Violation]:
    if evaluate is None:
        raise CatalogError(f'check constraint "{c.name}" needs an engine to evaluate it', sqlstate="0A000")
    verdict = evaluate(c.check, change.added)
    failing = pc.fill_null(pc.invert(verdict), False) if len(verdict) else verdict
    out = []
    for index in np.flatnonzero(np.asarray(failing.to_numpy(zero_copy_only=False), dtype=bool)).tolist():
        message = f'new row for relation "{table}" violates check constraint "{c.name}"'
        out.append(_added_row_violation("check", table, c.name, message, change, index))
    return out


def _references(
    table: str, c: Constraint, change: Change, after: dict[str, Manifest], files: "FileReader"
) -> list[Violation]:
    """Rows a change added must find the key they reference (MATCH SIMPLE: a key with a NULL
    references nothing; MATCH FULL: all NULL or none)."""
    keys = _keys(change.added, c.columns)
    rowids = change.added.column(ROWID).to_pylist()
    out, wanted = [], {}
    for index, k in enumerate(keys):
        if key_has_null(k):
            if c.match == "f" and not all(v is None for v in (k if isinstance(k, tuple) else (k,))):
                out.append(
                    Violation(
                        "foreign_key",
                        table,
                        c.name,
                        f'insert or update on table "{table}" violates foreign key constraint "{c.name}"',
                        "MATCH FULL does not allow mixing of null and nonnull key values.",
                        k,
                        [(table, rowids[index])],
                    )
                )
            continue
        wanted.setdefault(k, index)
    parent = after.get(c.ref_table)
    found = live_locations(parent, list(c.ref_columns), list(wanted), files) if parent is not None and wanted else {}
    for k, index in wanted.items():
        if k not in found:
            out.append(
                Violation(
                    "foreign_key",
                    table,
                    c.name,
                    f'insert or update on table "{table}" violates foreign key constraint "{c.name}"',
                    f'Key {key_text(c.columns, k)} is not present in table "{c.ref_table}".',
                    k,
                    [(table, rowids[index])],
                )
            )
    return out


def _referenced(
    table: str, child: str, c: Constraint, change: Change, after: dict[str, Manifest], files: "FileReader"
) -> list[Violation]:
    """Keys a change removed from a referenced table must not be referenced any more."""
    keys = _keys(change.removed, c.ref_columns)
    rowids = change.removed.column(ROWID).to_pylist()
    gone: dict = {}
    for index, k in enumerate(keys):
        if not key_has_null(k):
            gone.setdefault(k, index)
    still = live_locations(after[table], list(c.ref_columns), list(gone), files) if gone else {}
    gone = {k: i for k, i in gone.items() if k not in still}
    if not gone:
        return []
    out = []
    for k, (rowid,) in referencing_rows(after[child], c.columns, list(gone), files).items():
        out.append(
            Violation(
                "foreign_key",
                table,
                c.name,
                f'update or delete on table "{table}" violates foreign key constraint "{c.name}" on table "{child}"',
                f'Key {key_text(c.ref_columns, k)} is still referenced from table "{child}".',
                k,
                [(table, rowids[gone[k]])],
                [(child, rowid)],
                owner=child,
            )
        )
    return out


def referencing_rows(manifest: Manifest, columns, keys: list, files: "FileReader") -> dict:
    """key -> (rowid,) of one live row of ``manifest`` whose ``columns`` hold it, for each key of
    ``keys`` that some row references."""
    if not keys:
        return {}
    wanted, out = set(keys), {}
    for entry in manifest.files:
        if not entry.live_rows:
            continue
        rows = files.read(entry, manifest, list(columns))
        for k, rowid in zip(_keys(rows, columns), rows.column(ROWID).to_pylist()):
            if k in wanted and k not in out:
                out[k] = (rowid,)
    return out


def rows_by_rowid(manifest: Manifest, rowids: list[int], files: "FileReader") -> pa.Table | None:
    """The live rows with these rowids (for reporting conflicts)."""
    parts = []
    for index, inside, at in locate_each(manifest, np.asarray(rowids, dtype=np.int64), files):
        parts.append(files.read(manifest.files[index], manifest, positions=at))
    return pa.concat_tables(parts) if parts else None


__all__ = [
    "violation_error",
    "Violation",
    "find_violations",
    "key_text",
    "raise_first",
    "referencing_rows",
    "rows_by_rowid",
]
