"""Constant VALUES rows turned into Python values without planning a query.

Agents insert one row at a time; building a DataFusion plan for ``VALUES
('a', 1)`` would cost more than the commit. Anything that is not a plain
constant returns None, and the caller plans the rows with DataFusion instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlglot import exp

from ..errors import ProgrammingError
from .params import PARAM_META


def int4_constant(node: exp.Expression) -> bool:
    """Whether ``node`` is an integer constant (or its negation) PostgreSQL types as int4."""
    inner = node.this if isinstance(node, exp.Neg) else node
    if not (isinstance(inner, exp.Literal) and not inner.is_string and inner.this.isdigit()):
        return False
    value = -int(inner.this) if isinstance(node, exp.Neg) else int(inner.this)
    return -(2**31) <= value < 2**31


NOT_CONSTANT = object()
DEFAULT = object()  # the DEFAULT keyword inside VALUES


@dataclass(frozen=True)
class Float4Vector:
    """A bound vector parameter (``vector_from_float4(X'...')``, see ``sql.params``): its float4
    bytes, decoded and checked by the column it is written to."""

    data: bytes


def signed_literal(node: exp.Expression) -> tuple[exp.Literal, bool] | None:
    """The literal under parentheses and minus signs (``-(1.5)``), and whether the signs make it
    negative; None for any other expression."""
    negative = False
    while isinstance(node, (exp.Paren, exp.Neg)):
        negative ^= isinstance(node, exp.Neg)
        node = node.this
    return (node, negative) if isinstance(node, exp.Literal) else None


def constant(node: exp.Expression):
    """The Python value of a constant expression, or ``NOT_CONSTANT``."""
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Boolean):
        return node.this
    if isinstance(node, exp.Literal):
        if node.is_string:
            return node.this
        if isinstance(node.meta.get(PARAM_META), float):
            return node.meta[PARAM_META]  # a bound float stays a float8, not the numeric its digits spell
        text = node.this
        if text.isdigit():
            return int(text)
        try:
            return Decimal(text) if "." in text and "e" not in text.lower() else float(text)
        except ArithmeticError:
            return NOT_CONSTANT
    if isinstance(node, exp.Neg):
        inner = constant(node.this)
        return -inner if isinstance(inner, (int, float, Decimal)) and not isinstance(inner, bool) else NOT_CONSTANT
    if isinstance(node, exp.Paren):
        return constant(node.this)
    if isinstance(node, exp.Var) and node.name.upper() == "DEFAULT":
        return DEFAULT
    return NOT_CONSTANT


def _row_value(node: exp.Expression):
    """A VALUES entry's constant, a bound vector parameter as its bytes, or ``NOT_CONSTANT``."""
    if (
        isinstance(node, exp.Anonymous)
        and node.name.lower() == "vector_from_float4"
        and len(node.expressions) == 1
        and isinstance(node.expressions[0], exp.HexString)
    ):
        return Float4Vector(bytes.fromhex(node.expressions[0].this))
    return constant(node)


def literal_rows(values: exp.Values, width: int) -> list[tuple] | None:
    """Rows of a VALUES list of constants (bound vectors as :class:`Float4Vector`), or None when any
    entry needs evaluation."""
    rows = []
    for row in values.expressions:
        items = row.expressions if isinstance(row, exp.Tuple) else [row]
        if len(items) != width:
            raise ProgrammingError(
                f"INSERT has {'more' if len(items) > width else 'fewer'} expressions than target columns",
                sqlstate="42601",
            )
        converted = tuple(_row_value(item) for item in items)
        if any(v is NOT_CONSTANT for v in converted):
            return None
        rows.append(converted)
    return rows
