"""``date + interval`` and ``date - interval`` are timestamps, as in PostgreSQL; ``date - date`` is
the int4 count of days between them (DataFusion's is an int8).

PostgreSQL turns the date into midnight of that day before adding, so ``date '2020-01-02' +
interval '1 hour'`` is ``2020-01-02 01:00:00``; DataFusion keeps a date and drops the hour. A date
the catalog and the text can tell (a column, a cast, ``current_date``) beside an interval constant
or expression (``rules/interval_arithmetic.is_interval``) is cast to a timestamp first.
``date_trunc`` of a date and ``generate_series`` of dates by an interval are timestamptz, as the
overloads PostgreSQL resolves them to answer.
"""

from __future__ import annotations

from sqlglot import exp

from .column_types import SchemaOf, column_fields
from .rules.column_names import PG_NAME, pg_name
from .rules.interval_arithmetic import is_interval
from .text_casts import value_kind


def _midnight(date: exp.Expression, zoned: bool = False) -> exp.Expression:
    """The date's midnight, as a timestamp or (``zoned``) a timestamptz."""
    return exp.Cast(this=date.copy(), to=exp.DataType.build("TIMESTAMPTZ" if zoned else "TIMESTAMP"))


def _zoned_dates(calls: list[exp.Expression], fields) -> bool:
    """``date_trunc(unit, date)`` and ``generate_series(date, date, interval)`` run on
    timestamptz, the overloads PostgreSQL picks for a date, and answer timestamptz (DataFusion
    answered a timestamp, and a series of dates)."""
    changed = False
    for call in calls:
        if isinstance(call, (exp.TimestampTrunc, exp.DateTrunc)):
            if value_kind(call.this, fields) == "date":
                call.this.replace(_midnight(call.this, zoned=True))
                changed = True
            continue
        if isinstance(call.parent, exp.Table):
            continue  # FROM generate_series(...): sql/set_returning_calls types its series
        start, end, step = call.args.get("start"), call.args.get("end"), call.args.get("step")
        if start is not None and end is not None and step is not None and is_interval(step):
            if value_kind(start, fields) == "date":
                start.replace(_midnight(start, zoned=True))
                end.replace(_midnight(end, zoned=True))
                changed = True
    return changed


def date_intervals(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, every date shifted by an interval, truncated or stepped through by one;
    True when there was any."""
    shifts = list(tree.find_all(exp.Add, exp.Sub))
    calls = list(tree.find_all(exp.TimestampTrunc, exp.DateTrunc, exp.GenerateSeries, exp.ExplodingGenerateSeries))
    if not shifts and not calls:
        return False
    fields = column_fields(tree, schema_of)
    changed = _zoned_dates(calls, fields)
    for node in shifts:
        left, right = node.this, node.expression
        if value_kind(left, fields) == "date" and is_interval(right):
            left.replace(_midnight(left))
        elif isinstance(node, exp.Add) and is_interval(left) and value_kind(right, fields) == "date":
            right.replace(_midnight(right))
        elif isinstance(node, exp.Sub) and value_kind(left, fields) == value_kind(right, fields) == "date":
            days = exp.Cast(this=node.copy(), to=exp.DataType.build("INT"))
            days.meta[PG_NAME] = pg_name(node)
            node.replace(days)
        else:
            continue
        changed = True
    return changed
