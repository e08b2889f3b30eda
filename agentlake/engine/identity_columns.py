"""Identity columns as PostgreSQL guards them: a ``GENERATED ALWAYS AS IDENTITY`` column takes only
its sequence's values, so an INSERT naming it with a value of its own is 428C9 unless written
``OVERRIDING SYSTEM VALUE``, and an UPDATE may set it only to DEFAULT; ``OVERRIDING USER VALUE``
replaces the values an INSERT gives any identity column by the sequence's.

The manifest keeps each identity column's kind under ``identity_kind`` (``a`` ALWAYS, ``d`` BY
DEFAULT); a serial column is no identity column and is not guarded."""

from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from ..errors import ProgrammingError
from ..sql.literals import DEFAULT, constant

ALWAYS = "a"


def identity_columns(constraints: dict | None) -> dict[str, str]:
    """Identity column -> its kind (``a`` ALWAYS, ``d`` BY DEFAULT)."""
    return dict((constraints or {}).get("identity_kind", {}))


def _always(column: str) -> str:
    return f'Column "{column}" is an identity column defined as GENERATED ALWAYS.'


def defaults_only(source: exp.Expression | None, index: int) -> bool:
    """Whether every row of a VALUES source gives the column at ``index`` as DEFAULT."""
    if not isinstance(source, exp.Values):
        return False
    rows = [row.expressions if isinstance(row, exp.Tuple) else [row] for row in source.expressions]
    return all(index < len(cells) and constant(cells[index]) is DEFAULT for cells in rows)


def refuse_inserted(
    columns: list[str], source: exp.Expression | None, constraints: dict, overriding: str | None
) -> None:
    """428C9 for an ALWAYS identity column an INSERT gives values of its own, unless it overrides."""
    if overriding is not None:
        return
    for index, column in enumerate(columns):
        if identity_columns(constraints).get(column) == ALWAYS and not defaults_only(source, index):
            raise ProgrammingError(
                f'cannot insert a non-DEFAULT value into column "{column}"',
                sqlstate="428C9",
                detail=_always(column),
                hint="Use OVERRIDING SYSTEM VALUE to override.",
            )


def refuse_updated(columns: list[str], constraints: dict) -> None:
    """428C9 for an UPDATE giving an ALWAYS identity column a value (``columns``: those the SET list
    gives values other than DEFAULT, which is allowed)."""
    for column in columns:
        if identity_columns(constraints).get(column) == ALWAYS:
            raise ProgrammingError(
                f'column "{column}" can only be updated to DEFAULT', sqlstate="428C9", detail=_always(column)
            )


def without_user_values(rows: pa.Table, constraints: dict, overriding: str | None) -> pa.Table:
    """The rows without the identity columns' given values under OVERRIDING USER VALUE, so that
    their sequences fill them."""
    if overriding != "user":
        return rows
    return rows.drop_columns([c for c in identity_columns(constraints) if c in rows.column_names])
