"""An existing column made an identity column, changed, or made a plain one again:

    ALTER TABLE t ALTER [COLUMN] c ADD GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY [(options)]
    ALTER TABLE t ALTER [COLUMN] c {SET GENERATED {ALWAYS | BY DEFAULT} | SET START [WITH] n
                                    | SET INCREMENT [BY] n | RESTART [[WITH] n]} ...
    ALTER TABLE t ALTER [COLUMN] c DROP IDENTITY [IF EXISTS]

pg_dump writes the first for every identity column (its CREATE TABLE has none), with the
sequence's name and options. The column keeps its values; new rows take the sequence's from its
START. PostgreSQL's errors: 22023 for a column that is no integer, 55000 for one that is nullable,
has a default or is (or is not) an identity column already.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from ..errors import DataError, NotSupportedError, OperationalError, ProgrammingError
from ..results import Result
from ..sql.dialect import IDENTITY_SEQUENCE
from ..sql.pg_quoting import IDENTIFIER, QUALIFIED_NAME, identifier_name, public_name
from . import frontend
from .ddl import identity_steps, keep_column_facts, sequence_steps
from .sequences import restart_serial

if TYPE_CHECKING:
    from .session import Session

_ALTER_COLUMN = re.compile(
    rf"^\s*ALTER\s+TABLE\s+(IF\s+EXISTS\s+)?(?:ONLY\s+)?{QUALIFIED_NAME}\s+"
    rf"ALTER\s+(?:COLUMN\s+)?({IDENTIFIER})\s+((?:ADD\s+GENERATED|SET\s+GENERATED|SET\s+START|SET\s+INCREMENT"
    rf"|RESTART|DROP\s+IDENTITY)\b.*?)\s*;?\s*$",
    re.I | re.S,
)
_OPTION = re.compile(
    r"\s*(?:SET\s+GENERATED\s+(ALWAYS|BY\s+DEFAULT)|SET\s+START\s+(?:WITH\s+)?(\d+)|SET\s+INCREMENT\s+(?:BY\s+)?(-?\d+)"
    r"|RESTART(?:\s+(?:WITH\s+)?(\d+))?)(?=\s|$)",
    re.I,
)
_IDENTITY_FACTS = ("identity", "identity_kind", "sequence_steps")


def command(session: "Session", text: str) -> Result | None:
    """Run ``text`` if it adds, changes or drops a column's identity; None otherwise."""
    match = _ALTER_COLUMN.match(text)
    if match is None:
        return None
    if_exists, schema, table, column, action = match.groups()
    table, column = public_name(schema, table), identifier_name(column)
    tx = session.write_tx()
    if if_exists and table not in tx.tables:
        session.notice(f'relation "{table}" does not exist, skipping')
        return Result(None, 0, "ALTER TABLE")
    manifest = tx.manifest(table)
    if column not in manifest.schema.names:
        raise ProgrammingError(f'column "{column}" of relation "{table}" does not exist', sqlstate="42703")
    constraints = {
        key: dict(value) if isinstance(value, dict) else value for key, value in manifest.constraints.items()
    }
    kind = (constraints.get("identity_kind") or {}).get(column)
    word = action.split()[0].upper()
    if word == "ADD":
        _add(constraints, manifest.schema.field(column), table, kind, action)
    elif word == "DROP":
        if kind is None:
            return _not_identity(session, table, column, bool(re.search(r"\bIF\s+EXISTS\b", action, re.I)))
        for key in _IDENTITY_FACTS:
            constraints.get(key, {}).pop(column, None)
    else:
        if kind is None:
            raise _not_identity_error(table, column)
        restart = _change(constraints, column, action, sequence_steps(manifest, column))
        if restart is not False:
            restart_serial(session, constraints["identity"][column], restart)
    tx.alter_table(table, constraints=constraints)
    return Result(None, 0, "ALTER TABLE")


def _add(constraints: dict, field: pa.Field, table: str, kind: str | None, action: str) -> None:
    column = field.name
    if not pa.types.is_signed_integer(field.type) or field.type.bit_width < 16:
        raise DataError("identity column type must be smallint, integer, or bigint", sqlstate="22023")
    if field.nullable:
        raise OperationalError(
            f'column "{column}" of relation "{table}" must be declared NOT NULL before identity can be added',
            sqlstate="55000",
        )
    if kind is not None:
        raise OperationalError(
            f'column "{column}" of relation "{table}" is already an identity column', sqlstate="55000"
        )
    if column in (constraints.get("defaults") or {}) or column in (constraints.get("identity") or {}):
        raise OperationalError(f'column "{column}" of relation "{table}" already has a default value', sqlstate="55000")
    clause = frontend.parse(f"CREATE TABLE t (c bigint {action[len('ADD') :].strip()})", None)[0]
    identity = clause.find(exp.GeneratedAsIdentityColumnConstraint)
    start, increment = identity_steps(identity)
    facts = {
        "identity": identity.meta.get(IDENTITY_SEQUENCE) or f"{table}_{column}_seq",
        "identity_kind": "a" if identity.this else "d",
        "sequence_steps": [start, increment] if (start, increment) != (1, 1) else None,
    }
    keep_column_facts(constraints, column, facts)


def _change(constraints: dict, column: str, action: str, steps: tuple[int, int]) -> int | None | bool:
    """Apply SET GENERATED, SET START, SET INCREMENT; the value RESTART asks for (None: START),
    or False when it does not."""
    start, increment = steps
    restart: int | None | bool = False
    rest = action
    while rest.strip():
        option = _OPTION.match(rest)
        if option is None:
            raise ProgrammingError(f'syntax error at or near "{rest.split()[0]}"', sqlstate="42601")
        generated, new_start, new_increment, restart_with = option.groups()
        if generated:
            constraints["identity_kind"][column] = "a" if generated.upper() == "ALWAYS" else "d"
        elif new_start:
            start = int(new_start)
        elif new_increment:
            increment = int(new_increment)
            if increment == 0:
                raise DataError("INCREMENT must not be zero", sqlstate="22023")
            if increment < 0:
                raise NotSupportedError("descending identity sequences (a negative INCREMENT) are not supported")
        else:
            restart = int(restart_with) if restart_with else None
        rest = rest[option.end() :]
    if (start, increment) != steps:
        constraints["sequence_steps"] = {**constraints.get("sequence_steps", {}), column: [start, increment]}
    return restart


def _not_identity_error(table: str, column: str) -> OperationalError:
    return OperationalError(f'column "{column}" of relation "{table}" is not an identity column', sqlstate="55000")


def _not_identity(session: "Session", table: str, column: str, if_exists: bool) -> Result:
    if not if_exists:
        raise _not_identity_error(table, column)
    session.notice(f'column "{column}" of relation "{table}" is not an identity column, skipping')
    return Result(None, 0, "ALTER TABLE")
