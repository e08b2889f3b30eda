"""Referential actions: what deleting or re-keying a referenced row does to the rows that
reference it (ON DELETE / ON UPDATE CASCADE, SET NULL, SET DEFAULT, RESTRICT).

They run inside the statement that changed the referenced rows, as PostgreSQL's triggers do;
NO ACTION is left to the catalog's check at the end of the statement (or at COMMIT when deferred),
which also catches whatever an action leaves broken.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from catalog import ROWID
from catalog.constraint_checks import key_text
from catalog.constraints import Constraint, foreign_keys_to
from catalog.datafiles import key_has_null, key_tuples

from ..errors import IntegrityError

if TYPE_CHECKING:
    from .session import Session

_ACTING = "rcnd"


def referenced_with_actions(session: "Session", table: str, on: str) -> bool:
    """Whether changing ``table``'s rows has referential actions to run (``on``: delete or update)."""
    return any(getattr(c, f"on_{on}") in _ACTING for _, c in foreign_keys_to(session.write_tx().tables, table))


def rows_by_rowid(session: "Session", table: str, rowids: np.ndarray) -> pa.Table:
    rows = session.write_tx().snapshot.read(table, with_rowid=True)
    return rows.filter(pc.is_in(rows.column(ROWID), pa.array(rowids, pa.int64())))


def after_delete(session: "Session", table: str, old: pa.Table) -> None:
    """``old`` rows of ``table`` were deleted: act on the rows that referenced them."""
    for child, c in foreign_keys_to(session.write_tx().tables, table):
        if c.on_delete in _ACTING:
            gone = _keys(old, c.ref_columns)
            _act(session, table, child, c, c.on_delete, {k: None for k in gone}, deleting=True)


def after_update(session: "Session", table: str, old: pa.Table, new: pa.Table) -> None:
    """Rows of ``table`` changed from ``old`` to ``new`` (matched by rowid): act on the rows that
    referenced a key that changed."""
    for child, c in foreign_keys_to(session.write_tx().tables, table):
        if c.on_update not in _ACTING:
            continue
        before = dict(zip(old.column(ROWID).to_pylist(), key_tuples(old, list(c.ref_columns))))
        moved = {}
        for rowid, key in zip(new.column(ROWID).to_pylist(), key_tuples(new, list(c.ref_columns))):
            was = before.get(rowid)
            if was is not None and was != key and not key_has_null(was):
                moved[was] = key
        _act(session, table, child, c, c.on_update, moved, deleting=False)


def _act(session: "Session", table: str, child: str, c: Constraint, action: str, keys: dict, deleting: bool) -> None:
    """Apply ``action`` to ``child``'s rows referencing ``keys`` (old key -> new key for CASCADE on update)."""
    keys = {k: v for k, v in keys.items() if not key_has_null(k)}
    if not keys:
        return
    tx = session.write_tx()
    rows = tx.snapshot.read(child, with_rowid=True)
    hits = [i for i, k in enumerate(key_tuples(rows, list(c.columns))) if k in keys]
    if not hits:
        return
    rows = rows.take(pa.array(hits, pa.int64()))
    if action == "r":
        key = key_tuples(rows.slice(0, 1), list(c.columns))[0]
        err = IntegrityError(
            f'update or delete on table "{table}" violates foreign key constraint "{c.name}" on table "{child}"',
            sqlstate="23503",
            objects={"schema": "public", "table": child, "constraint": c.name},
        )
        err.detail = f'Key {key_text(c.ref_columns, key)} is still referenced from table "{child}".'
        raise err
    rowids = rows.column(ROWID).to_numpy()
    if action == "c" and deleting:
        tx.delete_rowids(child, rowids)
        after_delete(session, child, rows)
        return
    new = rows
    manifest = tx.manifest(child)
    for position, column in enumerate(c.columns):
        field = manifest.schema.field(column)
        if action == "c":
            values = [
                keys[k][position] if isinstance(keys[k], tuple) else keys[k] for k in key_tuples(rows, list(c.columns))
            ]
            array = pa.array(values, field.type)
        elif action == "n":
            array = pa.nulls(rows.num_rows, field.type)
        else:
            from .dml import default_column

            array = default_column(session, manifest, field, rows.num_rows)
        new = new.set_column(new.schema.get_field_index(column), new.schema.field(column), array)
    from .dml import check_row_constraints

    check_row_constraints(new.drop_columns([ROWID]), manifest, child)
    tx.put_rows(child, new)
    after_update(session, child, rows, new)


def _keys(rows: pa.Table, columns) -> list:
    return [k for k in key_tuples(rows, list(columns)) if not key_has_null(k)]
