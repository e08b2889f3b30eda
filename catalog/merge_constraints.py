"""Constraints across a merge: rows that are fine on each side may break a constraint together
(both sides inserted the same email; one deleted a parent the other's new row references).

Each violation becomes a conflict row of its own kind (``unique``, ``foreign_key``, ``check``,
``not_null``). ``fail`` reports them and writes nothing. ``ours`` puts back the target's version
of every row the source brought in that breaks a constraint (a deleted parent comes back, a new
duplicate is not taken). ``theirs`` keeps the source's rows: a target row holding the same
unique key goes; a CHECK or FOREIGN KEY they break is kept but marked NOT VALID, as PostgreSQL's
``ADD CONSTRAINT ... NOT VALID`` leaves one (rows already there unchecked, new rows checked).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from .constraint_checks import Violation, find_violations, rows_by_rowid
from .constraints import CheckEvaluator, table_constraints, with_constraints
from .objects import ROWID, Manifest

if TYPE_CHECKING:
    from .datafiles import FileReader

MAX_ROUNDS = 4


def settle(
    files: "FileReader",
    target: dict[str, Manifest],
    merged: dict[str, Manifest],
    strategy: str,
    conflicts: list[dict],
    evaluate: CheckEvaluator | None,
) -> dict[str, Manifest]:
    """The merged tables with the constraint violations the merge brought settled by ``strategy``;
    each violation is appended to ``conflicts``. With ``fail`` (or violations a strategy cannot
    settle) the tables are returned unsettled and the caller fails the merge."""
    for _ in range(MAX_ROUNDS):
        violations = find_violations(
            target, merged, files, evaluate, lambda c: c.validated, new_origins=None, not_null=True, limit=None
        )
        if not violations:
            return merged
        conflicts.extend(_conflict(files, target, merged, v) for v in violations)
        if strategy == "fail":
            return merged
        merged = dict(merged)
        for v in violations:
            if strategy == "ours" or v.kind == "not_null":
                for table, rowid in v.incoming:
                    merged[table] = _revert(merged[table], target.get(table), rowid, files)
            elif v.kind == "unique":
                for table, rowid in v.existing:
                    merged[table] = _mask(merged[table], rowid, files)
            else:
                owner = v.owner or v.table
                merged[owner] = _not_valid(merged[owner], owner, v.constraint)
    conflicts.append(
        {
            "table": violations[0].table,
            "key": None,
            "kind": "constraint",
            "constraint": None,
            "base": None,
            "ours": None,
            "theirs": f"strategy {strategy!r} could not settle every constraint",
        }
    )
    return merged


def unsettled(conflicts: list[dict]) -> bool:
    return any(c["kind"] == "constraint" for c in conflicts)


def _conflict(files: "FileReader", target: dict[str, Manifest], merged: dict[str, Manifest], v: Violation) -> dict:
    return {
        "table": v.table,
        "key": v.key,
        "kind": v.kind,
        "constraint": v.constraint,
        "base": None,
        "ours": _row(files, target, v.existing) or _row(files, target, v.incoming),
        "theirs": _row(files, merged, v.incoming),
        "message": v.message,
        "detail": v.detail,
    }


def _row(files: "FileReader", tables: dict[str, Manifest], where: list[tuple[str, int]]) -> dict | None:
    if not where or where[0][0] not in tables:
        return None
    table, rowid = where[0]
    rows = rows_by_rowid(tables[table], [rowid], files)
    if rows is None or not rows.num_rows:
        return None
    return {k: v for k, v in rows.to_pylist()[0].items() if k != ROWID}


def _mask(manifest: Manifest, rowid: int, files: "FileReader") -> Manifest:
    """The row with this rowid deleted wherever it lives."""
    ids = np.array([rowid], dtype=np.int64)
    return replace(
        manifest,
        files=tuple(
            f.with_deleted(ids) if f.rowid_min <= rowid <= f.rowid_max and files.positions(f, ids)[0] >= 0 else f
            for f in manifest.files
        ),
    )


def _revert(manifest: Manifest, target: Manifest | None, rowid: int, files: "FileReader") -> Manifest:
    """The row with this rowid as the target has it: the source's version masked, the target's
    version (if the target has one) live again."""
    ids = np.array([rowid], dtype=np.int64)
    theirs = {f.id: f for f in (target.files if target is not None else ())}
    out = []
    for f in manifest.files:
        if not (f.rowid_min <= rowid <= f.rowid_max) or files.positions(f, ids)[0] < 0:
            out.append(f)
        elif f.id in theirs:
            deleted = f.deleted if rowid in theirs[f.id].deleted else f.deleted[f.deleted != rowid]
            out.append(replace(f, deleted=deleted))
        else:
            out.append(f.with_deleted(ids))
    return replace(manifest, files=tuple(out))


def _not_valid(manifest: Manifest, table: str, name: str) -> Manifest:
    constraints = [replace(c, validated=False) if c.name == name else c for c in table_constraints(manifest, table)]
    return replace(manifest, constraints=with_constraints(manifest, table, constraints))


__all__ = ["settle", "unsettled"]
