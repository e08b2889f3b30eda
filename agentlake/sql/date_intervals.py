"""``date + interval`` and ``date - interval`` are timestamps, as in PostgreSQL; ``date - date`` is
the int4 count of days between them (DataFusion's is an int8).

PostgreSQL turns the date into midnight of that day before adding, so ``date '2020-01-02' +
interval '1 hour'`` is ``2020-01-02 01:00:00``; DataFusion keeps a date and drops the hour. A date
the catalog and the text can tell (a column, a cast, ``current_date``) beside an interval constant
or expression (``rules/interval_arithmetic.is_interval``) is cast to a timestamp first.
"""

from __future__ import annotations

from sqlglot import exp

from .column_types import SchemaOf, column_fields
from .rules.column_names import PG_NAME, pg_name
from .rules.interval_arithmetic import is_interval
from .text_casts import value_kind


def _midnight(date: exp.Expression) -> exp.Expression:
    return exp.Cast(this=date.copy(), to=exp.DataType.build("TIMESTAMP"))


def date_intervals(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, every date shifted by an interval; True when there was any."""
    shifts = list(tree.find_all(exp.Add, exp.Sub))
    if not shifts:
        return False
    fields = column_fields(tree, schema_of)
    changed = False
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
