"""Names inside ORDER BY expressions read the FROM clause's columns, as in PostgreSQL.

PostgreSQL resolves a bare ``ORDER BY a`` to the output column named ``a``, but a name inside an
expression (``ORDER BY a + 0``, ``ORDER BY -a``) to the input column. DataFusion resolves both to the
output column, so ``SELECT -a AS a FROM t ORDER BY -a`` sorted by the wrong values, silently. When an
ORDER BY expression names an output alias that hides an input column, the alias is renamed for
planning with the mark that ``column_names.output_name`` cuts off again (clients still see ``a``),
so the expression reaches the input column; bare keys follow the renamed output column.

A bare key naming two output columns of different values (``SELECT id AS a, name AS a ... ORDER
BY a``) is PostgreSQL's 42702, ``ORDER BY "a" is ambiguous``; DataFusion sorted by the first.
"""

from __future__ import annotations

from sqlglot import exp

from ...errors import error_for
from .column_names import DUPLICATE_MARK, pg_name


def order_by_inputs(tree: exp.Expression) -> exp.Expression:
    order = tree.args.get("order") if isinstance(tree, exp.Select) else None
    if order is None:
        return tree
    _refuse_ambiguous_keys(tree, order)
    read = {
        column.name.lower()
        for key in order.expressions
        if not isinstance(key.this, (exp.Column, exp.Literal))
        for column in key.this.find_all(exp.Column)
        if not column.table
    }
    renamed = {}
    for position, projection in enumerate(list(tree.expressions)):
        if isinstance(projection, exp.Star) or (
            isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
        ):
            continue
        alias = projection.alias if isinstance(projection, exp.Alias) else pg_name(projection)
        value = projection.this if isinstance(projection, exp.Alias) else projection
        if alias.lower() in read and _hides_input(value, alias):
            planned = f"{alias}{DUPLICATE_MARK}order{position}"
            renamed.setdefault(alias.lower(), planned)
            named = exp.Alias(this=value.copy(), alias=exp.to_identifier(planned, quoted=True))
            tree.set("expressions", named, position)
    for key in order.expressions:
        if isinstance(key.this, exp.Column) and not key.this.table and key.this.name.lower() in renamed:
            key.set("this", exp.column(renamed[key.this.name.lower()], quoted=True))
    return tree


def _refuse_ambiguous_keys(select: exp.Select, order: exp.Order) -> None:
    outputs: dict[str, list[exp.Expression]] = {}
    for projection in select.expressions:
        value = projection.this if isinstance(projection, exp.Alias) else projection
        if isinstance(value, exp.Star) or (isinstance(value, exp.Column) and isinstance(value.this, exp.Star)):
            continue
        name = projection.alias if isinstance(projection, exp.Alias) else pg_name(projection)
        values = outputs.setdefault(name.lower(), [])
        if all(value != other for other in values):  # the same value twice (SELECT id, id) is no ambiguity
            values.append(value)
    for key in order.expressions:
        if isinstance(key.this, exp.Column) and not key.this.table and len(outputs.get(key.this.name.lower(), ())) > 1:
            raise error_for("42702", f'ORDER BY "{key.this.name}" is ambiguous')


def _hides_input(value: exp.Expression, name: str) -> bool:
    """An output name over something other than the input column of that name (``-a AS a``,
    ``b AS a``, ``a::text``, which PostgreSQL names ``a``)."""
    return not (isinstance(value, exp.Column) and value.name.lower() == name.lower())
