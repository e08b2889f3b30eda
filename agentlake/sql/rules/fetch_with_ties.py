"""``FETCH FIRST n ROWS WITH TIES``: the first n rows and every further row that sorts level with
the last of them, as PostgreSQL answers it (DataFusion has no FETCH).

The query is numbered by its own ORDER BY, with ``row_number()`` for the position and ``rank()``
for the first position of each group of peers; a row is kept when its position is past the OFFSET
and its group begins within the n rows after it. The numbers are taken off again with a star less
them, and the rows come in their positions' order.
"""

from __future__ import annotations

from sqlglot import exp

from ...errors import NotSupportedError, ProgrammingError
from . import transform_up

_POSITION, _GROUP = "_ties_position", "_ties_group"


def fetch_with_ties(tree: exp.Expression) -> exp.Expression:
    return transform_up(tree, _rewrite)


def _rewrite(node: exp.Expression) -> exp.Expression:
    fetch = node.args.get("limit") if isinstance(node, exp.Select) else None
    options = fetch.args.get("limit_options") if isinstance(fetch, exp.Fetch) else None
    if options is None or not options.args.get("with_ties"):
        return node
    order = node.args.get("order")
    if order is None:
        raise ProgrammingError("WITH TIES cannot be specified without ORDER BY clause", sqlstate="42601")
    if node.args.get("distinct"):
        raise NotSupportedError("FETCH ... WITH TIES with SELECT DISTINCT is not supported", sqlstate="0A000")
    keys = [_input_key(key, node.expressions) for key in order.expressions]
    offset = node.args.get("offset")
    skipped = offset.expression.copy() if offset is not None else exp.Literal.number(0)
    count = fetch.args["count"].copy() if fetch.args.get("count") is not None else exp.Literal.number(1)
    numbered = node.copy()
    for arg in ("limit", "offset", "order"):
        numbered.set(arg, None)
    for name, function in ((_POSITION, exp.RowNumber()), (_GROUP, exp.Anonymous(this="rank", expressions=[]))):
        window = exp.Window(this=function, order=exp.Order(expressions=[key.copy() for key in keys]))
        numbered.append("expressions", exp.alias_(window, name, quoted=True))
    position, group = exp.column(_POSITION, quoted=True), exp.column(_GROUP, quoted=True)
    kept = exp.and_(
        exp.GT(this=position, expression=exp.Paren(this=skipped)),
        exp.LTE(
            this=group.copy(), expression=exp.Add(this=exp.Paren(this=skipped.copy()), expression=exp.Paren(this=count))
        ),
    )
    star = exp.Star(except_=[exp.column(_POSITION, quoted=True), exp.column(_GROUP, quoted=True)])
    return exp.select(star).from_(numbered.subquery("_ties")).where(kept).order_by(position.copy())


def _input_key(key: exp.Ordered, projections: list[exp.Expression]) -> exp.Ordered:
    """An ORDER BY key as a window can sort by: a position (``ORDER BY 2``) or a bare output name is
    the expression it names, as PostgreSQL resolves them."""
    value = key.this
    if isinstance(value, exp.Literal) and value.is_int and 0 < int(value.this) <= len(projections):
        value = projections[int(value.this) - 1]
    elif isinstance(value, exp.Column) and not value.table:
        value = next(
            (p for p in projections if isinstance(p, exp.Alias) and p.alias.lower() == value.name.lower()), value
        )
    if isinstance(value, exp.Alias):
        value = value.this
    return exp.Ordered(this=value.copy(), desc=key.args.get("desc"), nulls_first=key.args.get("nulls_first"))
