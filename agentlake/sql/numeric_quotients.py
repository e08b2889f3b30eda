"""Numeric quotients a statement returns, at PostgreSQL's digits: ``avg`` of integers or numerics
and ``/`` of numerics are numeric in PostgreSQL, each value at the scale its division picks from
the operands' values (``select_div_scale``: 16 significant digits or more), so ``avg`` of 1, 2
and 4 is 2.3333333333333333 and ``price / 3`` of 2.50 is 0.83333333333333333333.

DataFusion makes ``avg`` of integers a float8 and divides decimals at the dividend's scale plus
four (0.833333), so a client comparing values saw other numbers. The per-value scale cannot live
in an Arrow decimal column, so the items of a statement's own select list (where nothing computes
on them further) become ``pg_numeric_quotient(dividend, divisor)``, which divides as PostgreSQL
does and returns an unconstrained numeric (printed without the storage's trailing zeros). So do
``var_samp``, ``var_pop``, ``stddev_samp`` and ``stddev_pop`` of integers or numerics (numeric in
PostgreSQL, from exact sums; DataFusion's floats differed in the last digits): they become
``pg_numeric_spread`` of their count, sum and sum of squares. Inside expressions, subqueries and
HAVING they keep DataFusion's arithmetic.
"""

from __future__ import annotations

from sqlglot import exp

from .column_types import SchemaOf, column_fields
from .rounding import numeric_kind
from .rules.column_names import PG_NAME, pg_name

QUOTIENT = "pg_numeric_quotient"
"""The UDF dividing two numerics (given as their text, which keeps each one's scale) as PostgreSQL does."""
SPREAD = "pg_numeric_spread"
"""The UDF of a numeric variance or standard deviation from (count, sum, sum of squares) as text."""
_EXACT = ("integer", "numeric")


def numeric_quotients(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, the numeric averages and quotients of the outermost select list; True when any was."""
    if not isinstance(tree, exp.Select):
        return False
    fields = None
    changed = False
    for item in tree.expressions:
        node = item.this if isinstance(item, exp.Alias) else item
        if not isinstance(node, (exp.Avg, exp.Div, exp.Window, exp.Filter, *_SPREADS)):
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
    spread = _aggregate(node, tuple(_SPREADS))
    if spread is not None:
        return _spread(node, spread, fields)
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
    return _aggregate(node, (exp.Avg,))


def _aggregate(node: exp.Expression, kinds: tuple[type, ...]) -> exp.Expression | None:
    """The aggregate call of one of ``kinds`` under ``node``'s FILTER and OVER, if it is one."""
    inner = node
    while isinstance(inner, (exp.Window, exp.Filter)):
        inner = inner.this
    return inner if isinstance(inner, kinds) else None


_SPREADS = {  # (sample, square root)
    exp.Variance: (True, False),
    exp.VariancePop: (False, False),
    exp.Stddev: (True, True),
    exp.StddevSamp: (True, True),
    exp.StddevPop: (False, True),
}


def _spread(node: exp.Expression, spread: exp.Expression, fields) -> exp.Expression | None:
    """``var_samp(x)`` and its kin of integers or numerics, from exact sums (count, sum of x, sum
    of x squared) divided, and rooted for a deviation, at the scale PostgreSQL picks."""
    value = _argument(spread)
    kind = numeric_kind(value, fields)
    if kind not in _EXACT or isinstance(spread.this, exp.Distinct):
        return None
    exact = exp.Cast(this=value.copy(), to=exp.DataType.build("DECIMAL(38, 0)")) if kind == "integer" else value.copy()
    squared = exp.Mul(this=exact.copy(), expression=exact.copy())
    sample, root = _SPREADS[type(spread)]
    sums = [
        _around(node, aggregate)
        for aggregate in (exp.Count(this=value.copy()), exp.Sum(this=exact), exp.Sum(this=squared))
    ]
    return exp.Anonymous(
        this=SPREAD,
        expressions=[*(exp.cast(s, "text") for s in sums), exp.Boolean(this=sample), exp.Boolean(this=root)],
    )


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
