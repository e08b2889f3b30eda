"""What DROP EXTENSION and DROP TYPE share: which of the named objects exist (a missing one is
42704, or a NOTICE with IF EXISTS), and the columns of a dropped type (DROP EXTENSION vector's
vector columns, DROP TYPE's enum columns): without CASCADE they are PostgreSQL's 2BP01, listing
each; with it they are dropped, with PostgreSQL's NOTICE."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ..errors import Notice, ProgrammingError
from .constraint_ddl import drop_column

if TYPE_CHECKING:
    from catalog import Transaction

    from .session import Session


def existing(
    session: "Session", kind: str, names: list[str], present, if_exists: bool, sqlstate: str = "42704"
) -> list[str]:
    """The ``names`` of ``kind`` ("extension", "type", "sequence") that are ``present``; a missing
    one is ``sqlstate`` (42704 for an object, 42P01 for a sequence, a relation), or with IF EXISTS
    a NOTICE and skipped."""
    found = []
    for name in names:
        if name in present:
            found.append(name)
        elif if_exists:
            session.notice(f'{kind} "{name}" does not exist, skipping')
        else:
            raise ProgrammingError(f'{kind} "{name}" does not exist', sqlstate=sqlstate)
    return found


def columns_of_type(tables: Mapping[str, Any], type_of: Callable[[pa.Field], str | None]) -> list[tuple[str, str, str]]:
    """(table, column, type) of every column ``type_of`` names a type for, in the order PostgreSQL
    reports dependents: table by table (here by name; PostgreSQL goes by creation), a table's
    columns last first."""
    out = []
    for table in sorted(tables):
        for field in reversed(tables[table].schema):
            kind = type_of(field)
            if kind is not None:
                out.append((table, field.name, kind))
    return out


def drop_dependent_columns(
    session: "Session", tx: "Transaction", dropped: str, dependents: list[tuple[str, str, str]], cascade: bool
) -> None:
    """Drop ``dependents`` ((table, column, type) each) with ``dropped`` (as "extension vector"),
    or refuse with 2BP01 unless ``cascade``."""
    if dependents and not cascade:
        raise ProgrammingError(
            f"cannot drop {dropped} because other objects depend on it",
            sqlstate="2BP01",
            detail="\n".join(f"column {c} of table {t} depends on type {kind}" for t, c, kind in dependents),
            hint="Use DROP ... CASCADE to drop the dependent objects too.",
        )
    if len(dependents) == 1:
        session.notice(f"drop cascades to column {dependents[0][1]} of table {dependents[0][0]}")
    elif dependents:
        lines = "\n".join(f"drop cascades to column {c} of table {t}" for t, c, _ in dependents)
        session.notice(
            Notice(
                f"drop cascades to {len(dependents)} other objects", severity="NOTICE", sqlstate="00000", detail=lines
            )
        )
    for table, column, _ in dependents:
        drop_column(tx, table, column, cascade=True)  # its indexes go with it
