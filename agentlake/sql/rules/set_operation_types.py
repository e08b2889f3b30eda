"""A quoted constant in a UNION, INTERSECT or EXCEPT column, or in a VALUES list, takes the type
of the numbers beside it, as PostgreSQL resolves an unknown-typed literal against the others.

``SELECT 1 UNION SELECT '2'`` is an integer column in PostgreSQL (and ``SELECT 1 UNION SELECT 'a'``
is 22P02); DataFusion made both sides text, so the answer was the strings '1' and '2'. Where a
column's other items are numeric constants or casts to a number, each quoted constant in it becomes
a cast to that type: integer when every other item is an integer constant, numeric when one is a
decimal constant, else the first cast's type. Columns of tables are left to DataFusion (their type
is not known here).
"""

from __future__ import annotations

from sqlglot import exp

from ..trees import wrap

_NUMBERS = {
    exp.DataType.Type.SMALLINT,
    exp.DataType.Type.INT,
    exp.DataType.Type.BIGINT,
    exp.DataType.Type.DECIMAL,
    exp.DataType.Type.DOUBLE,
    exp.DataType.Type.FLOAT,
}


def set_operation_types(tree: exp.Expression) -> exp.Expression:
    for node in list(tree.find_all(exp.SetOperation, exp.Values)):
        if isinstance(node, exp.SetOperation) and isinstance(node.parent, exp.SetOperation):
            continue  # the outermost operation takes the whole column
        rows = _rows(node)
        if rows is None or len({len(row) for row in rows}) != 1:
            continue
        for column in zip(*rows):
            _type_quoted_constants(list(column))
    return tree


def _rows(node: exp.Expression) -> list[list[exp.Expression]] | None:
    """The items of each row a set operation's branches or a VALUES list give; None where a branch
    is neither a plain SELECT nor VALUES (or selects ``*``)."""
    if isinstance(node, exp.SetOperation):
        left, right = _rows(node.this), _rows(node.expression)
        return None if left is None or right is None else left + right
    if isinstance(node, exp.Subquery):
        return _rows(node.this)
    if isinstance(node, exp.Values):
        return [list(row.expressions) if isinstance(row, exp.Tuple) else [row] for row in node.expressions]
    if isinstance(node, exp.Select) and not any(isinstance(e, exp.Star) for e in node.expressions):
        return [[e.unalias() for e in node.expressions]]
    return None


def _type_quoted_constants(column: list[exp.Expression]) -> None:
    quoted = [item for item in column if isinstance(item, exp.Literal) and item.is_string]
    others = [item for item in column if not (item in quoted or isinstance(item, exp.Null))]
    if not quoted or not others:
        return
    target = _number_type(others)
    if target is None:
        return
    for item in quoted:
        wrap(item, exp.Cast(to=target.copy()))


def _number_type(items: list[exp.Expression]) -> exp.DataType | None:
    """The type PostgreSQL resolves numeric constants and casts to; None unless every item is one."""
    if all(isinstance(i, exp.Literal) and not i.is_string for i in items):
        decimal = any(not i.this.lstrip("-").isdigit() for i in items)
        return exp.DataType.build("NUMERIC" if decimal else "INT")
    casts = [i for i in items if isinstance(i, exp.Cast) and i.to.this in _NUMBERS]
    if casts and all(i in casts or (isinstance(i, exp.Literal) and not i.is_string) for i in items):
        return casts[0].to
    return None
