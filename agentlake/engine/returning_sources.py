"""RETURNING items that read the other relations of ``UPDATE ... FROM`` and ``DELETE ... USING``.

PostgreSQL's RETURNING may name any relation the statement joins (``RETURNING acc.id, t.total``).
The written rows come out of a join of the target with those relations; each of their columns that
RETURNING reads rides along that join as an extra output column, and RETURNING then reads it from
the written rows under that name (it was 42P01, "missing FROM-clause entry").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from ..errors import NotSupportedError

if TYPE_CHECKING:
    from .session import Session

_CARRIED = "__returning_{}"


def joined_columns(returning: exp.Returning | None, target: str) -> list[exp.Column]:
    """The distinct qualified columns RETURNING reads of relations other than the ``target`` alias;
    0A000 for a whole row of one (``t.*``), whose columns are not listed here."""
    found: dict[tuple[str, str], exp.Column] = {}
    for column in returning.find_all(exp.Column) if returning is not None else ():
        if not column.table or column.table == target:
            continue
        if isinstance(column.this, exp.Star):
            raise NotSupportedError(f"RETURNING {column.table}.* is not supported: name the columns of {column.table}")
        found.setdefault((column.table, column.name), column)
    return list(found.values())


def carried_sql(session: "Session", columns: list[exp.Column]) -> str:
    """The join's extra output columns (with a leading comma), one per column RETURNING reads."""
    return "".join(
        f', {session.datafusion_sql(column.copy())} AS "{_CARRIED.format(i)}"' for i, column in enumerate(columns)
    )


def carried(rows: pa.Table, columns: list[exp.Column]) -> pa.Table:
    """The extra columns of the join's rows."""
    return rows.select([_CARRIED.format(i) for i in range(len(columns))])


def reading_carried(
    returning: exp.Returning, columns: list[exp.Column], target: str, target_columns: list[str]
) -> exp.Returning:
    """A copy of RETURNING whose references to ``columns`` read the carried columns of the written
    rows (which RETURNING reads as the ``target`` alias), named as the columns they stand for; and
    whose star of the target lists the target's own columns, not the carried ones."""
    names = {(column.table, column.name): _CARRIED.format(i) for i, column in enumerate(columns)}

    def rename(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and (node.table, node.name) in names:
            return exp.column(names[(node.table, node.name)], table=target, quoted=True)
        return node

    items = []
    for item in returning.expressions:
        if isinstance(item, exp.Star) or (isinstance(item, exp.Column) and isinstance(item.this, exp.Star)):
            if isinstance(item, exp.Star) or item.table == target:
                items += [exp.column(name, table=target, quoted=True) for name in target_columns]
                continue
        named = isinstance(item, exp.Column) and (item.table, item.name) in names
        renamed = item.copy().transform(rename)
        items.append(exp.alias_(renamed, item.name, quoted=True) if named else renamed)
    return exp.Returning(expressions=items)
