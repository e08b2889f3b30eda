"""A division of two numeric constants (``1.0``, ``10::numeric``, ``'2.5'::numeric(4, 1)``) as
PostgreSQL computes it: ``1.0 / 3`` is 0.33333333333333333333 and ``10 / 3.0`` is
3.3333333333333333, where DataFusion's decimal division keeps four more digits than the dividend
(0.3333, 3.3333).

PostgreSQL picks the quotient's scale from the operands' values (``select_div_scale``): at least
16 significant digits, reckoned in its base-10000 digits, and no less than either operand's scale.
That depends on the values, so it is computed here for constants only; a numeric column divided
keeps DataFusion's scale. Two integers divide as integers (left alone), and a zero divisor is left
to fail with 22012 as the statement runs.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from sqlglot import exp

from ..literals import signed_literal
from ..params import decimal_literal
from . import transform_up

_MIN_SIGNIFICANT_DIGITS = 16
_CONTEXT = Context(prec=1100)


def _constant(node: exp.Expression) -> tuple[Decimal, int] | None:
    """A numeric constant's value and display scale (``2.50`` is 2), or None."""
    negative = False
    while isinstance(node, (exp.Paren, exp.Neg)):
        negative ^= isinstance(node, exp.Neg)
        node = node.this
    modifier: tuple[int, int] | None = None
    if isinstance(node, exp.Cast) and node.to.this in (exp.DataType.Type.DECIMAL, exp.DataType.Type.BIGDECIMAL):
        modifier = _type_modifier(node.to)
        node = node.this
    if not isinstance(node, exp.Literal) or (node.is_string and modifier is None):
        return None
    try:
        value = Decimal(node.this)
    except InvalidOperation:
        return None  # 'abc'::numeric fails as the statement runs
    if not value.is_finite():
        return None
    scale = max(-value.as_tuple().exponent, 0)
    if modifier is not None and modifier != _PLAIN:
        precision, scale = modifier
        value = value.quantize(Decimal(1).scaleb(-scale), ROUND_HALF_UP, _CONTEXT)
        if value.adjusted() >= precision - scale:
            return None  # too wide for its type: 22003 as the statement runs
    return (-value if negative else value), scale


_PLAIN = (-1, -1)


def _type_modifier(to: exp.DataType) -> tuple[int, int] | None:
    """(precision, scale) a cast to numeric declares, _PLAIN for plain ``numeric``, None when unreadable.

    Numeric constants reach this rule as such casts of their text (``10::numeric``, and every
    decimal literal a parameter becomes), so they divide at PostgreSQL's digits too.
    """
    params = [param.this for param in to.expressions]
    if not params:
        return _PLAIN
    if all(isinstance(p, exp.Literal) and p.this.isdigit() for p in params):
        return int(params[0].this), int(params[1].this) if len(params) > 1 else 0
    return None


def _base_10000(value: Decimal) -> tuple[int, int]:
    """The weight and value of the first base-10000 digit of ``value`` (0, 0 for zero)."""
    if not value:
        return 0, 0
    weight = abs(value).adjusted() // 4
    return weight, int(abs(value).scaleb(-4 * weight))


def quotient(dividend: Decimal, dividend_scale: int, divisor: Decimal, divisor_scale: int) -> Decimal:
    """PostgreSQL's numeric division of two values (divisor not zero), at its chosen scale."""
    weight1, first1 = _base_10000(dividend)
    weight2, first2 = _base_10000(divisor)
    qweight = weight1 - weight2 - (1 if first1 <= first2 else 0)
    scale = max(_MIN_SIGNIFICANT_DIGITS - qweight * 4, dividend_scale, divisor_scale, 0)
    scale = min(scale, 1000)
    return _CONTEXT.divide(dividend, divisor).quantize(Decimal(1).scaleb(-scale), ROUND_HALF_UP, _CONTEXT)


def numeric_division(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Div):
            return node
        left, right = _constant(node.this), _constant(node.expression)
        if left is None or right is None or not right[0] or (left[1] == right[1] == 0 and _integers(node)):
            return node
        value = quotient(left[0], left[1], right[0], right[1])
        return node if len(value.as_tuple().digits) > 38 else decimal_literal(value)  # wider than numeric(38)

    return transform_up(tree, rewrite)


def _integers(node: exp.Div) -> bool:
    """Whether both operands are written as integers (``7 / 2`` is integer division)."""
    sides = [signed_literal(node.this), signed_literal(node.expression)]
    return all(side is not None and side[0].this.isdigit() for side in sides)
