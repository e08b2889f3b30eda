"""Where PostgreSQL's arithmetic on a real gives a real, and where it gives a float8.

- ``sum`` of a real is a real (``sum(float4)`` returns float4). DataFusion sums a Float32 column
  into a Float64, so ``sum(r)`` of 0.1 and 0.2 came back as 0.30000000447034836, the float8
  nearest the float4 sum, where PostgreSQL prints 0.3. The sum (over a window or with a FILTER too)
  is cast back to real, keeping the name it was written as.
- A real with a number of another type (``r * 10``, ``r + 0.5``, ``sum(r) + 1``) is a float8:
  PostgreSQL has no operators of a real and an integer or numeric, and takes float8's. DataFusion
  computed in Float32 (0.7 * 10 was 7, where PostgreSQL answers 6.9999998807907104); the real
  operand is cast to float8. Two reals stay a real.
"""

from __future__ import annotations

from typing import Callable

import pyarrow as pa
from sqlglot import exp

from .column_types import SchemaOf, columns_of_type, is_column_in
from .rules.column_names import PG_NAME, pg_name
from .trees import wrap

_REAL = exp.DataType.Type.FLOAT
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)
_REAL_OF_REAL = (exp.Sum, exp.Min, exp.Max, exp.Abs, exp.Paren, exp.Neg, exp.Window, exp.Filter)


def real_types(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, the arithmetic of a real with another number and the sums of reals; True
    when any was."""
    arithmetic = list(tree.find_all(*_ARITHMETIC))
    if not arithmetic and not tree.find(exp.Sum):
        return False
    reals = columns_of_type(tree, schema_of, pa.types.is_float32)

    def is_real(node: exp.Expression) -> bool:
        return is_real_expression(node, lambda column: is_column_in(column, reals))

    changed = False
    for node in arithmetic:
        left, right = node.this, node.expression
        if is_real(left) != is_real(right):
            wrap(left if is_real(left) else right, exp.Cast(to=exp.DataType.build("DOUBLE")))
            changed = True
    for call in list(tree.find_all(exp.Sum)):
        if is_real(call.this):
            whole: exp.Expression = call
            while isinstance(whole.parent, (exp.Window, exp.Filter)) and whole.parent.this is whole:
                whole = whole.parent
            wrap(whole, exp.Cast(to=exp.DataType.build("REAL"))).meta[PG_NAME] = pg_name(whole)
            changed = True
    return changed


def is_real_expression(node: exp.Expression, is_real_column: Callable[[exp.Column], bool]) -> bool:
    """Whether PostgreSQL types ``node`` real: a real column, a cast to real, and what keeps a real
    one (sum, min, max, abs, unary minus, arithmetic of two reals, over a window or filtered)."""
    if isinstance(node, _REAL_OF_REAL):
        return is_real_expression(node.this, is_real_column)
    if isinstance(node, _ARITHMETIC):
        return is_real_expression(node.this, is_real_column) and is_real_expression(node.expression, is_real_column)
    if isinstance(node, exp.Column):
        return is_real_column(node)
    return isinstance(node, exp.Cast) and node.to.this == _REAL
