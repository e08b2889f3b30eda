"""A date, time, timestamp or interval compared with a quoted constant compares values of its type,
as in PostgreSQL.

PostgreSQL reads ``at >= '2024-01-02 12:00'`` by giving the constant the column's type, so any
spelling its input accepts works (no seconds, ``Jan 2 2024``, a date with a time for a date
column). DataFusion casts the text with its own parser, which wants seconds and ISO order, and
failed with 22P02. Each such constant (beside ``=``, ``<>``, ordering, ``BETWEEN``, ``IN``)
becomes an explicit cast to the other side's type, which ``rules/casts`` reads as PostgreSQL does.
"""

from __future__ import annotations

from sqlglot import exp

from .column_types import SchemaOf, column_fields
from .constant_comparisons import COMPARISONS, compared_text_constants
from .text_casts import value_kind

TEMPORAL_TYPES = {
    "date": "DATE",
    "time": "TIME",
    "timestamp": "TIMESTAMP",
    "timestamptz": "TIMESTAMPTZ",
    "interval": "INTERVAL",
}
"""A date/time kind (``text_casts.value_kind``) -> the SQL type a constant beside it is cast to."""


def temporal_comparisons(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Cast, in place, the text constants compared with temporal values to their type; True when any was."""
    pairs = compared_text_constants(tree, (*COMPARISONS, exp.In, exp.Between))
    if not pairs:
        return False
    fields = column_fields(tree, schema_of)
    changed = False
    for typed, constants in pairs:
        target = TEMPORAL_TYPES.get(value_kind(typed, fields) or "")
        for constant in constants if target else []:
            constant.replace(exp.Cast(this=constant.copy(), to=exp.DataType.build(target)))
            changed = True
    return changed
