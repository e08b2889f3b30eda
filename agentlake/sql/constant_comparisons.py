"""The quoted constants a statement compares with other values: PostgreSQL reads each as the type
of what it is compared with (``u = 'A0EE...'`` a uuid, ``at >= '2024-01-02 12:00'`` a timestamp),
so the typed rewrites for those types start here."""

from __future__ import annotations

from typing import Callable

import pyarrow as pa
from sqlglot import exp

from .column_types import SchemaOf, column_fields

COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ)


def compared_text_constants(
    tree: exp.Expression, kinds: tuple[type, ...]
) -> list[tuple[exp.Expression, list[exp.Literal]]]:
    """(a compared value, the quoted constants it is compared with) for each comparison of
    ``kinds`` in ``tree`` (of COMPARISONS, ``IN`` and ``BETWEEN``) that has such constants."""
    pairs = []
    for node in tree.find_all(*kinds):
        if isinstance(node, exp.In):
            found = [(node.this, node.expressions)]
        elif isinstance(node, exp.Between):
            found = [(node.this, [node.args["low"], node.args["high"]])]
        else:
            found = [(node.this, [node.expression]), (node.expression, [node.this])]
        for value, others in found:
            constants = [n for n in others if isinstance(n, exp.Literal) and n.is_string]
            if constants and not isinstance(value, exp.Literal):
                pairs.append((value, constants))
    return pairs


def constants_compared_with(
    tree: exp.Expression,
    schema_of: SchemaOf,
    column_wanted: Callable[[pa.Field], bool],
    constant_wanted: Callable[[exp.Literal], bool] = lambda constant: True,
) -> list[exp.Literal]:
    """The quoted constants (those ``constant_wanted`` keeps) that comparisons, ``IN`` included,
    compare with a column ``column_wanted`` picks: what the typed rewrites for such a column's type
    read as that type."""
    pairs = [
        (value, kept)
        for value, constants in compared_text_constants(tree, (*COMPARISONS, exp.In))
        if isinstance(value, exp.Column) and (kept := [c for c in constants if constant_wanted(c)])
    ]
    if not pairs:
        return []
    fields = column_fields(tree, schema_of)
    found = []
    for column, constants in pairs:
        field = fields.get(column.table, {}).get(column.name)
        if field is not None and column_wanted(field):
            found += constants
    return found
