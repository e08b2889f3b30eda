"""A quoted constant in date/time arithmetic takes the type PostgreSQL's operator resolution gives
it: ``at + '1 day'`` adds an interval (no timestamp + timestamp operator exists), ``ts -
'2024-01-01'`` subtracts a timestamp (the operator with both sides of one type wins), and ``d -
'2024-01-01'`` counts days between dates. ``date + '...'`` is ambiguous in PostgreSQL (date +
integer, + interval and + time all fit), 42725 as there. DataFusion could not add text to a
timestamp at all (42883)."""

from __future__ import annotations

from sqlglot import exp

from ..errors import error_for
from .column_types import SchemaOf, column_fields
from .temporal_comparisons import TEMPORAL_TYPES
from .text_casts import value_kind


def _is_text_constant(node: exp.Expression) -> bool:
    return isinstance(node, exp.Literal) and node.is_string


def temporal_constants(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Cast, in place, the quoted constants added to or subtracted from dates and times; True when any was."""
    operations = [
        node
        for node in tree.find_all(exp.Add, exp.Sub, bfs=False)
        if _is_text_constant(node.this) != _is_text_constant(node.expression)
    ]
    if not operations:
        return False
    fields = column_fields(tree, schema_of)
    changed = False
    for node in reversed(operations):  # inner first: (at + '1 hour') + '1 day' reads the inner sum's type
        constant, other = (node.this, node.expression) if _is_text_constant(node.this) else (node.expression, node.this)
        kind = value_kind(other, fields)
        if kind not in TEMPORAL_TYPES:
            continue
        if isinstance(node, exp.Add) and kind == "date":
            raise error_for("42725", "operator is not unique: date + unknown")
        target = "INTERVAL" if isinstance(node, exp.Add) else TEMPORAL_TYPES[kind]
        constant.replace(exp.Cast(this=constant.copy(), to=exp.DataType.build(target)))
        changed = True
    return changed
