"""An integer constant in a select list is an ``integer`` (int4), as PostgreSQL types it.

DataFusion reads ``1`` as a 64-bit integer, so ``SELECT 1`` (a connection pool's health check),
``SELECT 1 AS one``, ``CASE ... THEN 1 ELSE 0 END`` and ``VALUES (1), (2)`` were sent as bigint
(OID 20) where PostgreSQL sends integer (23). A select item that is such a constant (or a CASE
whose every result is one, or NULL, or an ARRAY[...] of them, unnested or not), and a VALUES
column of them, gets its constants cast to INT; one too large for int4 stays bigint, as
PostgreSQL's would. Constants inside other expressions are typed by the operation around them
(``sql.integer_arithmetic``); this runs after the columns are named, so ``SELECT 1`` keeps its name.
"""

from __future__ import annotations

from sqlglot import exp

from ..literals import int4_constant


def _as_int4(node: exp.Expression) -> None:
    node.replace(exp.Cast(this=node.copy(), to=exp.DataType.build("INT")))


def _results(case: exp.Case) -> list[exp.Expression]:
    return [branch.args["true"] for branch in case.args.get("ifs") or []] + (
        [case.args["default"]] if case.args.get("default") is not None else []
    )


def _as_int4_where_all_are(values: list[exp.Expression]) -> None:
    """Cast ``values`` to int4 when each is an int4 constant or NULL (and one at least is a constant)."""
    constants = [v for v in values if not isinstance(v, exp.Null)]
    if constants and all(int4_constant(v) for v in constants):
        for constant in constants:
            _as_int4(constant)


def _values_columns(values: exp.Values) -> None:
    """A VALUES list's columns whose every row is an int4 constant (or NULL) become int4: ``(VALUES
    (1, 'a'), (2, 'b')) v(id, name)`` has an integer id, as in PostgreSQL."""
    rows = [row.expressions for row in values.expressions if isinstance(row, exp.Tuple)]
    if not rows or len(rows) != len(values.expressions) or len({len(r) for r in rows}) != 1:
        return
    for column in zip(*rows):
        _as_int4_where_all_are(list(column))


def integer_literals(tree: exp.Expression) -> exp.Expression:
    for values in tree.find_all(exp.Values):
        if not isinstance(values.parent, exp.Insert):  # INSERT's rows take the target columns' types
            _values_columns(values)
    for select in tree.find_all(exp.Select):
        for item in select.expressions:
            value = item.this if isinstance(item, exp.Alias) else item
            if isinstance(value, exp.Explode) and isinstance(value.this, exp.Array):
                value = value.this  # unnest(ARRAY[1, 2]) unnests an integer[]
            if int4_constant(value):
                _as_int4(value)
            elif isinstance(value, exp.Array):  # ARRAY[1, 2] is an integer[]
                _as_int4_where_all_are(list(value.expressions))
            elif isinstance(value, exp.Case):
                _as_int4_where_all_are(_results(value))
    return tree
