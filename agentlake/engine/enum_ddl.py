"""CREATE TYPE ... AS ENUM, ALTER TYPE and DROP TYPE, with PostgreSQL's errors.

A branch's enum types are catalog state (name -> labels in order, recorded by its commits), so they
follow transactions, branches and merges as tables do. Each column of an enum type carries the
type's name and labels (:mod:`..sql.enum_types`); a statement that changes a type rewrites the
metadata of those columns in the same transaction, and RENAME VALUE rewrites their stored labels.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from ..errors import DataError, Notice, NotSupportedError, ProgrammingError
from ..results import Result
from ..sql.enum_types import MAX_LABEL_BYTES, enum_metadata, enum_of
from ..sql.pg_quoting import IDENTIFIER, STRING_LITERAL, identifier_name, literal_text
from ..sql.types import BY_NAME
from .dependent_columns import columns_of_type, drop_dependent_columns, existing

if TYPE_CHECKING:
    from catalog import Transaction

    from .session import Session

_TYPE = rf"^\s*ALTER\s+TYPE\s+(?:public\.)?({IDENTIFIER})\s+"
_ADD_VALUE = re.compile(
    rf"{_TYPE}ADD\s+VALUE\s+(IF\s+NOT\s+EXISTS\s+)?({STRING_LITERAL})(?:\s+(BEFORE|AFTER)\s+({STRING_LITERAL}))?\s*;?\s*$",
    re.I | re.S,
)
_RENAME_VALUE = re.compile(
    rf"{_TYPE}RENAME\s+VALUE\s+({STRING_LITERAL})\s+TO\s+({STRING_LITERAL})\s*;?\s*$", re.I | re.S
)
_RENAME = re.compile(rf"{_TYPE}RENAME\s+TO\s+({IDENTIFIER})\s*;?\s*$", re.I | re.S)


def create_type(session: "Session", stmt: exp.Create) -> Result:
    """CREATE TYPE name AS ENUM ('label', ...); other kinds of type are refused (0A000)."""
    definition = stmt.args.get("expression")
    if not (isinstance(definition, exp.DataType) and definition.this == exp.DataType.Type.ENUM):
        raise NotSupportedError(
            "only enum types can be created: CREATE TYPE name AS ENUM ('label', ...)",
            hint="Composite, range and base types are not supported; use a table's columns or jsonb.",
        )
    name = _type_name(stmt.this)
    tx = session.write_tx()
    if name in tx.types or name in tx.tables or name in tx.views:
        if stmt.args.get("exists"):
            session.notice(Notice(f'type "{name}" already exists, skipping', severity="NOTICE", sqlstate="42710"))
            return Result(None, 0, "CREATE TYPE")
        raise ProgrammingError(f'type "{name}" already exists', sqlstate="42710")
    labels = [_checked_label(label.this) for label in definition.expressions]
    if len(set(labels)) != len(labels):
        raise ProgrammingError(
            'duplicate key value violates unique constraint "pg_enum_typid_label_index"', sqlstate="23505"
        )
    tx.set_types({**tx.types, name: labels})
    return Result(None, 0, "CREATE TYPE")


def drop_types(session: "Session", names: list[str], if_exists: bool, cascade: bool) -> Result:
    """DROP TYPE: 42704 for a type the branch lacks (a NOTICE with IF EXISTS); columns of the type
    are 2BP01 unless CASCADE, which drops them, as PostgreSQL does."""
    tx = session.write_tx()
    dropping = existing(session, "type", [n.lower() for n in names], tx.types, if_exists)
    if not dropping:
        return Result(None, 0, "DROP TYPE")
    dependents = [(table, column, kind) for table, column, kind in _enum_columns(tx) if kind in dropping]
    drop_dependent_columns(session, tx, f"type {dependents[0][2]}" if dependents else "", dependents, cascade)
    tx.set_types({name: labels for name, labels in tx.types.items() if name not in dropping})
    return Result(None, 0, "DROP TYPE")


def command(session: "Session", text: str) -> Result | None:
    """Run ``text`` if it is ALTER TYPE; None for any other statement."""
    if not re.match(r"^\s*ALTER\s+TYPE\b", text, re.I):
        return None
    for pattern, action in ((_ADD_VALUE, _add_value), (_RENAME_VALUE, _rename_value), (_RENAME, _rename)):
        match = pattern.match(text)
        if match is not None:
            tx = session.write_tx()
            name = identifier_name(match.group(1))
            if name not in tx.types:
                raise ProgrammingError(f'type "{name}" does not exist', sqlstate="42704")
            action(session, tx, name, *match.groups()[1:])
            return Result(None, 0, "ALTER TYPE")
    raise NotSupportedError(
        "ALTER TYPE supports ADD VALUE, RENAME VALUE and RENAME TO of enum types only", sqlstate="0A000"
    )


def _add_value(
    session: "Session", tx: "Transaction", name: str, if_not_exists: str | None, label: str, where, neighbour
) -> None:
    labels = list(tx.types[name])
    label = _checked_label(literal_text(label))
    if label in labels:
        if if_not_exists:
            session.notice(
                Notice(f'enum label "{label}" already exists, skipping', severity="NOTICE", sqlstate="42710")
            )
            return
        raise ProgrammingError(f'enum label "{label}" already exists', sqlstate="42710")
    at = len(labels)
    if neighbour is not None:
        at = _existing(labels, literal_text(neighbour)) + (where.upper() == "AFTER")
    _retype(tx, name, name, labels[:at] + [label] + labels[at:])


def _rename_value(session: "Session", tx: "Transaction", name: str, old: str, new: str) -> None:
    labels = list(tx.types[name])
    old, new = literal_text(old), _checked_label(literal_text(new))
    at = _existing(labels, old)
    if new in labels:
        raise ProgrammingError(f'enum label "{new}" already exists', sqlstate="42710")
    for table, column, _ in (c for c in _enum_columns(tx) if c[2] == name):
        tx.update_where(table, {column: pa.scalar(new)}, pc.field(column) == old)
    _retype(tx, name, name, labels[:at] + [new] + labels[at + 1 :])


def _rename(session: "Session", tx: "Transaction", name: str, new: str) -> None:
    new = identifier_name(new)
    if new in tx.types or new in tx.tables or new in tx.views or new in BY_NAME:
        raise ProgrammingError(f'type "{new}" already exists', sqlstate="42710")
    _retype(tx, name, new, tx.types[name])


def _retype(tx: "Transaction", name: str, new_name: str, labels: list[str]) -> None:
    """Type ``name`` becomes ``new_name`` with ``labels``: the branch's record and every column of it."""
    for table in sorted(tx.tables):
        schema = tx.manifest(table).schema
        changed = schema
        for index, field in enumerate(schema):
            found = enum_of(field)
            if found is not None and found[0] == name:
                changed = changed.set(index, field.with_metadata({**field.metadata, **enum_metadata(new_name, labels)}))
        if changed is not schema:
            tx.alter_table(table, schema=changed)
    types = {n: ls for n, ls in tx.types.items() if n != name}
    tx.set_types({**types, new_name: labels})


def _enum_columns(tx: "Transaction") -> list[tuple[str, str, str]]:
    """(table, column, type) of every enum column, in the order PostgreSQL reports dependents."""
    return columns_of_type(tx.tables, _enum_type_name)


def _enum_type_name(field: pa.Field) -> str | None:
    found = enum_of(field)
    return found[0] if found is not None else None


def _existing(labels: list[str], label: str) -> int:
    try:
        return labels.index(label)
    except ValueError:
        raise DataError(f'"{label}" is not an existing enum label', sqlstate="22023") from None


def _checked_label(label: str) -> str:
    if len(label.encode()) > MAX_LABEL_BYTES:
        raise ProgrammingError(
            f'invalid enum label "{label}"',
            sqlstate="42602",
            detail=f"Labels must be {MAX_LABEL_BYTES} bytes or less.",
        )
    return label


def _type_name(node: exp.Expression) -> str:
    table = node if isinstance(node, exp.Table) else node.find(exp.Table)
    if table is not None and table.db and table.db.lower() != "public":
        raise ProgrammingError(f'schema "{table.db}" does not exist', sqlstate="3F000")
    return (table.name if table is not None else node.name).lower()
