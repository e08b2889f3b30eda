"""``timestamp - timestamp`` as PostgreSQL's interval, not DataFusion's duration.

PostgreSQL subtracts timestamps into an interval of whole days and then the time (``2 days
03:04:05``). DataFusion gives a duration, and compares a duration with an interval that has days
as false whatever the values (``now() - created_at > interval '1 day'`` was false for rows six
years old): it cannot turn days into a duration, and its simplifier folds the comparison away.
So a difference of two timestamps the catalog and the text can tell (columns, casts, ``now()``)
becomes ``pg_duration_interval(a - b)`` (the duration in nanoseconds), an interval of days and
time, which compares with interval constants field by field as DataFusion does (months, days,
then the time).
"""

from __future__ import annotations

from sqlglot import exp

from .column_types import SchemaOf, column_fields
from .rules.column_names import PG_NAME, pg_name
from .text_casts import value_kind

_TIMESTAMPS = ("timestamp", "timestamptz")
_NANOSECONDS = "Duration(Nanosecond)"  # the function's one argument type; differences come in µs or ns


def timestamp_differences(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, every difference of two timestamps; True when there was any."""
    differences = list(tree.find_all(exp.Sub))
    if not differences:
        return False
    fields = column_fields(tree, schema_of)
    changed = False
    for node in differences:
        if value_kind(node.this, fields) in _TIMESTAMPS and value_kind(node.expression, fields) in _TIMESTAMPS:
            nanoseconds = exp.Anonymous(this="arrow_cast", expressions=[node.copy(), exp.Literal.string(_NANOSECONDS)])
            interval = exp.Anonymous(this="pg_duration_interval", expressions=[nanoseconds])
            interval.meta[PG_NAME] = pg_name(node)
            node.replace(interval)
            changed = True
    return changed
