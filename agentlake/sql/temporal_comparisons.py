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
from .text_casts import value_kind

_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ)
_TYPES = {
    "date": "DATE",
    "time": "TIME",
    "timestamp": "TIMESTAMP",
    "timestamptz": "TIMESTAMPTZ",
    "interval": "INTERVAL",
}


def _text_constants(nodes: list[exp.Expression]) -> list[exp.Literal]:
    return [n for n in nodes if isinstance(n, exp.Literal) and n.is_string]


def _pairs(node: exp.Expression) -> list[tuple[exp.Expression, list[exp.Literal]]]:
    """(the typed side, the text constants compared with it)."""
    if isinstance(node, exp.In):
        return [(node.this, _text_constants(node.expressions))]
    if isinstance(node, exp.Between):
        return [(node.this, _text_constants([node.args["low"], node.args["high"]]))]
    return [(node.this, _text_constants([node.expression])), (node.expression, _text_constants([node.this]))]


def temporal_comparisons(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Cast, in place, the text constants compared with temporal values to their type; True when any was."""
    nodes = list(tree.find_all(*_COMPARISONS, exp.In, exp.Between))
    if not nodes:
        return False
    fields = None
    changed = False
    for node in nodes:
        for typed, constants in _pairs(node):
            if not constants or isinstance(typed, exp.Literal):
                continue
            fields = fields if fields is not None else column_fields(tree, schema_of)
            target = _TYPES.get(value_kind(typed, fields) or "")
            for constant in constants if target else []:
                constant.replace(exp.Cast(this=constant.copy(), to=exp.DataType.build(target)))
                changed = True
    return changed
