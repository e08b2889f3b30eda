"""Numeric quotients a statement returns, at PostgreSQL's digits: ``avg`` of integers or numerics
and ``/`` of numerics are numeric in PostgreSQL, each value at the scale its division picks from
the operands' values (``select_div_scale``: 16 significant digits or more), so ``avg`` of 1, 2
and 4 is 2.3333333333333333 and ``price / 3`` of 2.50 is 0.83333333333333333333.

DataFusion makes ``avg`` of integers a float8 and divides decimals at the dividend's scale plus
four (0.833333), so a client comparing values saw other numbers. The per-value scale cannot live
in an Arrow decimal column, so the items of a statement's own select list (where nothing computes
on them further) become ``pg_numeric_quotient(dividend, divisor)``, which divides as PostgreSQL
does and returns an unconstrained numeric (printed without the storage's trailing zeros). Inside
expressions, subqueries and HAVING they keep DataFusion's arithmetic.
"""

from __future__ import annotations

from sqlglot import exp

from .column_types import SchemaOf, column_fields
from .rounding import numeric_kind
from .rules.column_names import PG_NAME, pg_name

QUOTIENT = "pg_numeric_quotient"
"""The UDF dividing two numerics (given as their text, which keeps each one's scale) as PostgreSQL does."""
_EXACT = ("integer", "numeric")


def numeric_quotients(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, the numeric averages and quotients of the outermost select list; True when any was."""
    if not isinstance(tree, exp.Select):
        return False
    fields = None
    changed = False
    for item in tree.expressions:
        node = item.this if isinstance(item, exp.Alias) else item
        if not isinstance(node, (exp.Avg, exp.Div, exp.Window, exp.Filter)):
            continue
        fields = fields if fields is not None else column_fields(tree, schema_of)
        replacement = _quotient(node, fields)
        if replacement is not None:
            replacement.meta[PG_NAME] = pg_name(node)
            node.replace(replacement)
            changed = True
    return changed


def _quotient(node: exp.Expression, fields) -> exp.Expression | None:
    """The call computing ``node`` at PostgreSQL's digits, or None when it is not a numeric quotient."""
    if isinstance(node, exp.Div):
        if node.find(exp.Column) is None:
            return None  # constants divide as they are planned (rules/numeric_division.py), at their own text
        kinds = {numeric_kind(node.this, fields), numeric_kind(node.expression, fields)}
        if kinds <= set(_EXACT) and "numeric" in kinds:  # integer / integer stays integer division
            return _call(node.this.copy(), node.expression.copy())
        return None
    average = _average(node)
    if average is None or numeric_kind(_argument(average), fields) not in _EXACT:
        return None
    return _call(_around(node, exp.Sum(this=average.this.copy())), _around(node, exp.Count(this=average.this.copy())))


def _average(node: exp.Expression) -> exp.Avg | None:
    """The avg() call of ``avg(x)``, ``avg(x) FILTER (...)`` or ``avg(x) OVER (...)``."""
    inner = node
    while isinstance(inner, (exp.Window, exp.Filter)):
        inner = inner.this
    return inner if isinstance(inner, exp.Avg) else None


def _argument(average: exp.Avg) -> exp.Expression:
    value = average.this
    return value.expressions[0] if isinstance(value, exp.Distinct) and value.expressions else value


def _around(node: exp.Expression, aggregate: exp.Expression) -> exp.Expression:
    """``aggregate`` under the same FILTER and OVER as the average ``node``."""
    if isinstance(node, (exp.Window, exp.Filter)):
        outer = node.copy()
        _innermost_holder(outer).set("this", aggregate)
        return outer
    return aggregate


def _innermost_holder(node: exp.Expression) -> exp.Expression:
    while isinstance(node.this, (exp.Window, exp.Filter)):
        node = node.this
    return node


def _call(dividend: exp.Expression, divisor: exp.Expression) -> exp.Expression:
    as_text = [exp.cast(side, "text") for side in (dividend, divisor)]
    return exp.Anonymous(this=QUOTIENT, expressions=as_text)
