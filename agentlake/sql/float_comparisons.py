"""A float column compared with a decimal constant compares as float8, as in PostgreSQL.

The engine reads ``0.5`` as numeric (so that ``0.1 + 0.2 = 0.3``), and DataFusion
compares a float column with a numeric constant by casting the column to that decimal:
``WHERE score > 0.5`` then fails on a score of 1e20 (or a real of 1e8) and cannot place
a NaN. PostgreSQL casts the constant to float8 instead; so does this rewrite, for
comparisons, BETWEEN and IN lists whose other side is a float column, and for the constants given
beside a float column to GREATEST, LEAST, COALESCE, NULLIF or a CASE's results (PostgreSQL resolves
them to float8, where DataFusion made a decimal of the float).
"""

from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from .column_types import SchemaOf, columns_of_type, is_column_in

_COMPARISONS = (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE)
_CHOICES = (exp.Greatest, exp.Least, exp.Coalesce, exp.Nullif)
_DECIMALS = {exp.DataType.Type.DECIMAL, exp.DataType.Type.BIGDECIMAL}


def float_comparisons(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, the decimal constants compared with float columns, or given beside one to
    GREATEST, LEAST, COALESCE, NULLIF or a CASE's results; True when any was."""
    if not tree.find(*_COMPARISONS, exp.Between, exp.In, *_CHOICES, exp.Case):
        return False
    floats = columns_of_type(tree, schema_of, pa.types.is_floating)
    if not any(floats.values()):
        return False
    changed = False
    reals = columns_of_type(tree, schema_of, pa.types.is_float32)
    for node in list(tree.find_all(*_CHOICES, exp.Case)):  # one type for all: the float column's
        values = _choices(node)
        columns = [value for value in values if is_column_in(value, floats)]
        if columns:
            to = "REAL" if all(is_column_in(column, reals) for column in columns) else "DOUBLE"
            for value in values:
                changed |= _cast_to_double(value, to)
    for node in list(tree.find_all(*_COMPARISONS, exp.Between, exp.In)):
        if isinstance(node, _COMPARISONS):
            if is_column_in(node.this, floats):
                changed |= _cast_to_double(node.expression)
            if is_column_in(node.expression, floats):
                changed |= _cast_to_double(node.this)
        elif is_column_in(node.this, floats):
            others = [node.args["low"], node.args["high"]] if isinstance(node, exp.Between) else node.expressions
            for other in others:
                changed |= _cast_to_double(other)
    return changed


def _choices(node: exp.Expression) -> list[exp.Expression]:
    """The values one of which a GREATEST, LEAST, COALESCE, NULLIF or CASE gives."""
    if isinstance(node, exp.Case):
        return [branch.args["true"] for branch in node.args.get("ifs") or []] + (
            [node.args["default"]] if node.args.get("default") is not None else []
        )
    return [node.this, *node.expressions] if not isinstance(node, exp.Nullif) else [node.this, node.expression]


def _cast_to_double(node: exp.Expression, to: str = "DOUBLE") -> bool:
    """``node`` as a float8 (or ``to``) if it is a decimal constant (``0.5``, ``-1e300``, ``$1``
    bound to a Decimal), cast from its text: DataFusion would read ``1e300`` as a decimal it cannot
    hold."""
    negative = isinstance(node, exp.Neg)
    inner = node.this if negative else node
    if isinstance(inner, exp.Cast) and inner.to.this in _DECIMALS and isinstance(inner.this, exp.Literal):
        inner = inner.this
    elif not (isinstance(inner, exp.Literal) and not inner.is_string and not inner.this.isdigit()):
        return False
    text = ("-" if negative else "") + inner.name
    node.replace(exp.Cast(this=exp.Literal.string(text), to=exp.DataType.build(to)))
    return True
