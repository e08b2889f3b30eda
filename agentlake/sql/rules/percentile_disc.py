"""``percentile_disc(f) WITHIN GROUP (ORDER BY x)``, which DataFusion lacks, from the aggregates it has.

PostgreSQL's discrete percentile is the first value, in the group's order, whose position reaches
``ceil(f * n)`` of the n values that are not NULL (the first value for f = 0), computed in float8.
So it becomes the element at that position of the ordered ``array_agg`` of those values:

    array_element(array_agg(x ORDER BY x) FILTER (WHERE x IS NOT NULL [AND cond]),
                  greatest(CAST(ceil(CAST(f AS DOUBLE) * count(x) [FILTER (WHERE cond)]) AS BIGINT), 1))

which works for every orderable type and in GROUP BY. An aggregate FILTER (``cond``) applies to
both. A fraction outside [0, 1] is 22003, as in PostgreSQL; an array of fractions is refused.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlglot import exp

from ...errors import DataError, NotSupportedError, ProgrammingError
from . import transform_up
from .column_names import PG_NAME


def _checked_fraction(fraction: exp.Expression) -> None:
    if isinstance(fraction, exp.Array):
        raise NotSupportedError("percentile_disc of an array of fractions is not supported")
    if isinstance(fraction, exp.Literal) and not fraction.is_string:
        try:
            value = Decimal(fraction.this)
        except InvalidOperation:
            return
        if not 0 <= value <= 1:
            raise DataError(f"percentile value {fraction.this} is not between 0 and 1", sqlstate="22003")


def _filtered(aggregate: exp.Expression, condition: exp.Expression | None) -> exp.Expression:
    return aggregate if condition is None else exp.Filter(this=aggregate, expression=exp.Where(this=condition))


def _discrete(fraction: exp.Expression, ordered: exp.Ordered, condition: exp.Expression | None) -> exp.Expression:
    value = ordered.this
    present = exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null()))
    keep = present if condition is None else exp.and_(condition.copy(), present)
    order = exp.Order(this=value.copy(), expressions=[exp.Ordered(this=value.copy(), desc=ordered.args.get("desc"))])
    values = exp.Filter(this=exp.ArrayAgg(this=order), expression=exp.Where(this=keep))
    count = _filtered(exp.Count(this=value.copy()), condition)
    scaled = exp.Mul(this=exp.Cast(this=fraction.copy(), to=exp.DataType.build("DOUBLE")), expression=count)
    position = exp.Cast(this=exp.Ceil(this=scaled), to=exp.DataType.build("BIGINT"))
    first = exp.Anonymous(this="greatest", expressions=[position, exp.Literal.number(1)])
    return exp.Anonymous(this="array_element", expressions=[values, first])


def percentile_disc(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        within = node.this if isinstance(node, exp.Filter) else node
        if not (isinstance(within, exp.WithinGroup) and isinstance(within.this, exp.PercentileDisc)):
            return node
        if isinstance(node, exp.WithinGroup) and isinstance(node.parent, exp.Filter):
            return node  # the FILTER around it is rewritten with it
        orders = within.expression.expressions if isinstance(within.expression, exp.Order) else []
        if len(orders) != 1:
            raise ProgrammingError("percentile_disc takes exactly one ORDER BY expression", sqlstate="42883")
        _checked_fraction(within.this.this)
        condition = node.expression.this if isinstance(node, exp.Filter) else None
        out = _discrete(within.this.this, orders[0], condition)
        out.meta[PG_NAME] = "percentile_disc"
        return out

    return transform_up(tree, rewrite)
