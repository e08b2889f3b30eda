"""``age``, ``justify_days/hours/interval`` and ``timeofday`` as calls of the Python functions that
implement them (``executors/local/formatting_functions``)::

    age(a, b)        ->  pg_age(a::timestamp, b::timestamp)
    age(a)           ->  pg_age(current_date::timestamp, a::timestamp)   -- from today's midnight
    justify_days(i)  ->  pg_justify_days(i)
    timeofday()      ->  pg_timeofday(now())   -- now() only gives the function its row count

A timestamptz read as a timestamp is its UTC wall time, the session's zone being UTC.
"""

from __future__ import annotations

from sqlglot import exp

from . import transform_up

_JUSTIFY = {exp.JustifyDays: "pg_justify_days", exp.JustifyHours: "pg_justify_hours",
            exp.JustifyInterval: "pg_justify_interval"}  # fmt: skip
_TIMESTAMP = exp.DataType.build("TIMESTAMP")


def _timestamp(value: exp.Expression) -> exp.Expression:
    return exp.Cast(this=value, to=_TIMESTAMP.copy())


def interval_calls(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        if type(node) in _JUSTIFY:
            return exp.Anonymous(this=_JUSTIFY[type(node)], expressions=[node.this])
        if not isinstance(node, exp.Anonymous):
            return node
        name, args = node.name.lower(), node.expressions
        if name == "age" and len(args) in (1, 2):
            later = args[0] if len(args) == 2 else exp.CurrentDate()
            return exp.Anonymous(this="pg_age", expressions=[_timestamp(later), _timestamp(args[-1])])
        if name == "timeofday" and not args:
            return exp.Anonymous(this="pg_timeofday", expressions=[_timestamp(exp.Anonymous(this="now"))])
        return node

    return transform_up(tree, rewrite)
