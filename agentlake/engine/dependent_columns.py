"""Columns a dropped type depends on: DROP EXTENSION vector's vector columns, DROP TYPE's enum
columns. Without CASCADE they are PostgreSQL's 2BP01, listing each; with it they are dropped, with
PostgreSQL's NOTICE."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import Notice, ProgrammingError
from .constraint_ddl import drop_column

if TYPE_CHECKING:
    from catalog import Transaction

    from .session import Session


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
