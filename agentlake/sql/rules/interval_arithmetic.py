"""``number * interval``, ``interval * number`` and ``interval / number`` as PostgreSQL computes them.

DataFusion plans no product of an interval (``2 * interval '1 hour'`` fails, whichever side the
interval is on), so each becomes a call of the UDFs ``interval_mul`` / ``interval_div``
(``agentlake.executors.local.interval_functions``), with the number as float8: PostgreSQL's only
such operators take float8 (an integer or numeric operand is cast to it). An operand counts as an
interval by its syntax: an interval literal, a cast to interval, or such an expression scaled,
negated, parenthesised or added to another interval.
"""

from __future__ import annotations

from sqlglot import exp

_INTERVAL_FUNCTIONS = {
    "interval_mul",
    "interval_div",
    "make_interval",
    "justify_days",
    "justify_hours",
    "pg_duration_interval",  # a difference of timestamps (sql/timestamp_differences.py)
}


def is_interval(node: exp.Expression) -> bool:
    """Whether ``node`` is an interval by its syntax alone (no column types needed)."""
    while isinstance(node, (exp.Paren, exp.Neg)):
        node = node.this
    if isinstance(node, exp.Interval):
        return True
    if isinstance(node, (exp.Cast, exp.TryCast)):
        return node.to.this == exp.DataType.Type.INTERVAL
    if isinstance(node, (exp.Add, exp.Sub)):
        return is_interval(node.this) and is_interval(node.expression)
    if isinstance(node, (exp.Mul, exp.Div)):
        return is_interval(node.this) != is_interval(node.expression)
    return isinstance(node, exp.Anonymous) and node.name.lower() in _INTERVAL_FUNCTIONS


def scaled_interval(node: exp.Expression) -> exp.Expression:
    """``node`` as a call of interval_mul or interval_div when it scales an interval; else ``node``.
    Applied children first, so a product of a product composes."""
    if isinstance(node, exp.Mul):
        left, right = is_interval(node.this), is_interval(node.expression)
        if left != right:
            interval, factor = (node.this, node.expression) if left else (node.expression, node.this)
            return _call("interval_mul", interval, factor)
    if isinstance(node, exp.Div) and is_interval(node.this) and not is_interval(node.expression):
        return _call("interval_div", node.this, node.expression)
    return node


def _call(name: str, interval: exp.Expression, factor: exp.Expression) -> exp.Expression:
    double = exp.Cast(this=factor, to=exp.DataType.build("DOUBLE"))
    return exp.Anonymous(this=name, expressions=[interval, double])
