"""LATERAL subqueries correlated by equalities, as joins DataFusion plans, and FROM-less ones
(``LATERAL (SELECT t.a * 2 AS v) x``, names for expressions of each row) inlined where used.

"The latest message of each thread" is how agents read their memory:
``FROM threads t LEFT JOIN LATERAL (SELECT ... FROM messages m WHERE m.thread_id = t.id
ORDER BY ts DESC LIMIT 1) last ON true``. DataFusion 55 refuses a LATERAL subquery that reads
outer columns (0A000). When the subquery's correlation is ``inner = outer`` conjuncts of its WHERE
and each of its rows is a source row (no grouping), the same rows come from one pass: the
subquery without the correlation, numbered per correlation value in its ORDER BY
(``row_number() OVER (PARTITION BY inner ORDER BY ...)``) and cut at its LIMIT, joined on
``inner = outer``. LEFT JOIN LATERAL stays a LEFT join (NULLs where nothing matches); CROSS JOIN
LATERAL and ``, LATERAL`` become inner joins.

Left for DataFusion's 0A000: aggregated lateral subqueries (an empty group must still give one
row), OFFSET, DISTINCT, outer columns outside the WHERE, and outer queries that expand ``*``
over the lateral item (they would see the join's helper columns).
"""

from __future__ import annotations

from sqlglot import exp

from ..correlation import literal_limit, outer_names, plain, take_correlations
from .column_names import pg_name

_KEY = "__lateral_key_{}"
_ROW_NUMBER = "__lateral_row"
_ROWS = "__lateral_rows"


def lateral_subqueries(tree: exp.Expression) -> exp.Expression:
    for select in list(tree.find_all(exp.Select)):
        for join in list(select.args.get("joins") or []):
            lateral = join.this
            if isinstance(lateral, exp.Lateral) and isinstance(lateral.this, exp.Subquery):
                if not _inline_row(select, join, lateral):
                    _decorrelate(select, join, lateral)
    return tree


_MANY_ROWS = (exp.AggFunc, exp.Window, exp.Explode, exp.Unnest, exp.GenerateSeries, exp.UDTF)
"""What makes a FROM-less select other than one row of its expressions."""


def _inline_row(outer_select: exp.Select, join: exp.Join, lateral: exp.Lateral) -> bool:
    """``FROM t, LATERAL (SELECT t.a * 2 AS v) x`` names expressions of each row: its one row is
    ``x.v`` read as ``(t.a * 2)`` where it is used, and the join goes; True when it was inlined."""
    inner = lateral.this.this
    alias = lateral.args.get("alias")
    name = alias.name.lower() if alias is not None else ""
    condition = join.args.get("on")
    if (
        not isinstance(inner, exp.Select)
        or not name
        or _expands_star(outer_select, name)
        or any(inner.args.get(part) for part in ("from_", "where", "group", "having", "limit", "offset", "joins"))
        or inner.find(*_MANY_ROWS) is not None
        or (condition is not None and not (isinstance(condition, exp.Boolean) and condition.this))
    ):
        return False
    names = [column.name for column in alias.columns] if alias.columns else []
    values = {}
    for position, projection in enumerate(inner.expressions):
        output = names[position] if position < len(names) else projection.alias or pg_name(projection)
        values[output.lower()] = projection.this if isinstance(projection, exp.Alias) else projection
    uses = [c for c in outer_select.find_all(exp.Column) if c.table.lower() == name]
    unqualified = {c.name.lower() for c in outer_select.find_all(exp.Column) if not c.table}
    if any(c.name.lower() not in values for c in uses) or unqualified & set(values):
        return False  # an unknown or unqualified reference: left to DataFusion, which names it
    for column in uses:
        value = exp.Paren(this=values[column.name.lower()].copy())
        listed = column.parent is outer_select and column.arg_key == "expressions"
        column.replace(exp.alias_(value, column.name, quoted=True) if listed else value)  # x.v is named v
    joins = [j for j in outer_select.args["joins"] if j is not join]
    outer_select.set("joins", joins or None)
    return True


def _decorrelate(outer_select: exp.Select, join: exp.Join, lateral: exp.Lateral) -> None:
    inner = lateral.this.this
    alias = lateral.args.get("alias")
    name = alias.name if alias is not None else ""
    if not isinstance(inner, exp.Select) or not name or _expands_star(outer_select, name):
        return
    outer = outer_names(inner)
    limit = literal_limit(inner)
    if not outer or not plain(inner) or inner.args.get("distinct") or inner.args.get("offset") or limit == -1:
        return
    inner = inner.copy()
    pairs = take_correlations(inner, outer)
    if pairs is None:
        return
    rows = _numbered_rows(inner, [inner_value for inner_value, _ in pairs], limit, alias)
    condition = join.args.get("on")
    keys = [
        exp.EQ(this=exp.column(_KEY.format(n), table=name), expression=outer_value)
        for n, (_, outer_value) in enumerate(pairs)
    ]
    if condition is not None and not (isinstance(condition, exp.Boolean) and condition.this):
        keys.append(condition)
    join.set("this", exp.Subquery(this=rows, alias=exp.TableAlias(this=exp.to_identifier(name))))
    join.set("kind", None)
    join.set("side", "LEFT" if join.args.get("side") == "LEFT" else None)
    join.set("on", exp.and_(*keys))


def _numbered_rows(inner: exp.Select, keys: list[exp.Expression], limit: int | None, alias) -> exp.Select:
    """The subquery's rows for every correlation value at once, with the value as ``__lateral_key_n``;
    with a LIMIT, only the first ``limit`` rows of each value in the subquery's ORDER BY."""
    names = list(alias.columns) if alias is not None and alias.columns else []
    outputs = []
    for position, projection in enumerate(inner.expressions):
        output = names[position].name if position < len(names) else projection.alias or pg_name(projection)
        value = projection.this if isinstance(projection, exp.Alias) else projection
        outputs.append(exp.alias_(value, output, quoted=True))
    outputs += [exp.alias_(key, _KEY.format(n)) for n, key in enumerate(keys)]
    order = inner.args.get("order")
    inner.set("order", None)
    inner.set("limit", None)
    if limit is None:
        inner.set("expressions", outputs)
        return inner
    number = exp.Window(
        this=exp.RowNumber(),
        partition_by=[key.copy() for key in keys],
        order=order.copy() if order is not None else None,
    )
    inner.set("expressions", [*outputs, exp.alias_(number, _ROW_NUMBER)])
    visible = [exp.column(o.alias, quoted=True) for o in outputs]
    numbered = exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier(_ROWS)))
    return (
        exp.select(*visible)
        .from_(numbered)
        .where(exp.LTE(this=exp.column(_ROW_NUMBER), expression=exp.Literal.number(limit)))
    )


def _expands_star(select: exp.Select, name: str) -> bool:
    """Whether the select list has ``*`` or ``name.*``, which would show the join's helper columns."""
    for projection in select.expressions:
        if isinstance(projection, exp.Star):
            return True
        if isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
            if not projection.table or projection.table.lower() == name.lower():
                return True
    return False
