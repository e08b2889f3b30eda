"""Intervals compared and sorted as PostgreSQL compares them: by the span they stand for, a month
counted as 30 days and a day as 24 hours, so ``interval '1 year' = interval '360 days'`` and
``interval '1 day' = interval '24 hours'`` are true.

DataFusion compared an interval's months, days and time one after another (a year was more than
360 days, a day more than 23 hours 59 minutes and less than 24 hours... in that order only). Each
comparison (and BETWEEN) with an interval operand compares the operands' spans (:data:`SPAN`, a
numeric of nanoseconds), and an ORDER BY key that is an interval, in a query's ORDER BY or a
window's, sorts by its span. An ORDER BY naming an output column by position or alias, or under
SELECT DISTINCT, is left as it was (its key is not an expression here).
"""

from __future__ import annotations

from sqlglot import exp

from .column_types import SchemaOf, column_fields
from .constant_comparisons import COMPARISONS
from .text_casts import value_kind
from .trees import wrap

SPAN = "pg_interval_span"
"""The local executor's function giving an interval's span in nanoseconds (30-day months, 24-hour days)."""


def interval_order(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, comparisons and sort keys of intervals into their spans; True when any was."""
    comparisons = list(tree.find_all(*COMPARISONS, exp.Between))
    keys = [o for o in tree.find_all(exp.Ordered) if _sortable(o)]
    if not comparisons and not keys:
        return False
    fields = column_fields(tree, schema_of)

    def is_interval(node: exp.Expression) -> bool:
        return value_kind(node, fields) == "interval"

    changed = False
    for node in comparisons:
        operands = (
            [node.this, node.args["low"], node.args["high"]]
            if isinstance(node, exp.Between)
            else [node.this, node.expression]
        )
        if any(is_interval(operand) for operand in operands):
            for operand in operands:
                wrap(operand, exp.Anonymous(this=SPAN), "expressions")
            changed = True
    for key in keys:
        if is_interval(key.this):
            wrap(key.this, exp.Anonymous(this=SPAN), "expressions")
            changed = True
    return changed


def _sortable(key: exp.Ordered) -> bool:
    """A sort key given as an expression of a window's or a plain SELECT's ORDER BY (not DISTINCT's)."""
    order = key.parent
    owner = order.parent if isinstance(order, exp.Order) else None
    return isinstance(owner, exp.Window) or (isinstance(owner, exp.Select) and not owner.args.get("distinct"))
