"""The ordered-set aggregates DataFusion lacks, ``percentile_disc(f) WITHIN GROUP (ORDER BY x)``
and ``mode() WITHIN GROUP (ORDER BY x)``, from the aggregates it has.

PostgreSQL's discrete percentile is the first value, in the group's order, whose position reaches
``ceil(f * n)`` of the n values that are not NULL (the first value for f = 0), computed in float8.
So it becomes the element at that position of the ordered ``array_agg`` of those values:

    array_element(array_agg(x ORDER BY x) FILTER (WHERE x IS NOT NULL [AND cond]),
                  greatest(CAST(ceil(CAST(f AS DOUBLE) * count(x) [FILTER (WHERE cond)]) AS BIGINT), 1))

which works for every orderable type and in GROUP BY. An aggregate FILTER (``cond``) applies to
both. A fraction outside [0, 1] is 22003, as in PostgreSQL; an array of fractions is refused.

The mode is the most frequent value that is not NULL, the first in the group's order among equally
frequent ones. Values are counted by their text (``pg_mode_position`` finds where, in the ordered
text of the values, the first of the most frequent stands), and the value at that position of the
same ordering is the answer, so it works for every type with a text form:

    array_element(array_agg(x ORDER BY x) FILTER (WHERE x IS NOT NULL),
                  pg_mode_position(array_agg(arrow_cast(x, 'Utf8') ORDER BY x) FILTER (WHERE x IS NOT NULL)))
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


def _ordered_values(value: exp.Expression, ordered: exp.Ordered, keep: exp.Expression) -> exp.Expression:
    """``array_agg(value ORDER BY <ordered>) FILTER (WHERE keep)``."""
    order = exp.Order(this=value, expressions=[exp.Ordered(this=ordered.this.copy(), desc=ordered.args.get("desc"))])
    return exp.Filter(this=exp.ArrayAgg(this=order), expression=exp.Where(this=keep.copy()))


def _present(ordered: exp.Ordered, condition: exp.Expression | None) -> exp.Expression:
    present = exp.Not(this=exp.Is(this=ordered.this.copy(), expression=exp.Null()))
    return present if condition is None else exp.and_(condition.copy(), present)


def _discrete(fraction: exp.Expression, ordered: exp.Ordered, condition: exp.Expression | None) -> exp.Expression:
    values = _ordered_values(ordered.this.copy(), ordered, _present(ordered, condition))
    count = _filtered(exp.Count(this=ordered.this.copy()), condition)
    scaled = exp.Mul(this=exp.Cast(this=fraction.copy(), to=exp.DataType.build("DOUBLE")), expression=count)
    position = exp.Cast(this=exp.Ceil(this=scaled), to=exp.DataType.build("BIGINT"))
    first = exp.Anonymous(this="greatest", expressions=[position, exp.Literal.number(1)])
    return exp.Anonymous(this="array_element", expressions=[values, first])


MODE_POSITION = "pg_mode_position"
"""The UDF giving the 1-based position of the mode in a group's ordered values, as text."""


def _mode(ordered: exp.Ordered, condition: exp.Expression | None) -> exp.Expression:
    keep = _present(ordered, condition)
    # arrow_cast, not CAST: DataFusion names a CAST by its operand, and two array_aggs of one name clash
    text = exp.Anonymous(this="arrow_cast", expressions=[ordered.this.copy(), exp.Literal.string("Utf8")])
    texts = _ordered_values(text, ordered, keep)
    position = exp.Anonymous(this=MODE_POSITION, expressions=[texts])
    return exp.Anonymous(
        this="array_element", expressions=[_ordered_values(ordered.this.copy(), ordered, keep), position]
    )


def ordered_set_aggregates(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        within = node.this if isinstance(node, exp.Filter) else node
        if not (isinstance(within, exp.WithinGroup) and isinstance(within.this, (exp.PercentileDisc, exp.Mode))):
            return node
        if isinstance(node, exp.WithinGroup) and isinstance(node.parent, exp.Filter):
            return node  # the FILTER around it is rewritten with it
        name = "mode" if isinstance(within.this, exp.Mode) else "percentile_disc"
        orders = within.expression.expressions if isinstance(within.expression, exp.Order) else []
        if len(orders) != 1:
            raise ProgrammingError(f"{name} takes exactly one ORDER BY expression", sqlstate="42883")
        condition = node.expression.this if isinstance(node, exp.Filter) else None
        if isinstance(within.this, exp.Mode):
            out = _mode(orders[0], condition)
        else:
            _checked_fraction(within.this.this)
            out = _discrete(within.this.this, orders[0], condition)
        out.meta[PG_NAME] = name
        return out

    return transform_up(tree, rewrite)
