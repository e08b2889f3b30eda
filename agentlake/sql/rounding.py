"""Rounding as PostgreSQL rounds: a cast to an integer type rounds (``2.5::numeric::int`` is 3,
``2.5::float8::int`` is 2: numeric half away from zero, float8 half to even), and so does
``round(x)`` of a float8 (``round(2.5::float8)`` is 2).

DataFusion's cast truncates (``price::int`` of 2.50 was 2) and its ``round`` of a float rounds half
away from zero. Where the operand's PostgreSQL type is known to be numeric (a column the catalog
types, a decimal constant, arithmetic or an aggregate over them), a cast becomes
``CAST(round(x) AS INT)``; where it is float, ``CAST(pg_rint(x) AS INT)``, and ``round(x)`` becomes
``pg_rint(x)``. The type is PostgreSQL's, not DataFusion's: ``avg(n)`` of integers is a float here
but numeric there, so ``avg(n)::int`` of 2.5 is 3. An operand of unknown type is left as it was.
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
from sqlglot import exp

from .column_types import Fields, SchemaOf, column_fields
from .literals import signed_literal
from .params import decimal_literal
from .rules.column_names import PG_NAME, pg_name

RINT = "pg_rint"
"""The UDF rounding float8 half to even, as C's rint (and PostgreSQL's float8 to integer casts) does."""

_INTEGER_TYPES = {exp.DataType.Type.SMALLINT, exp.DataType.Type.INT, exp.DataType.Type.BIGINT}
_FLOAT_TYPES = {exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT}
_DECIMAL_TYPES = {exp.DataType.Type.DECIMAL, exp.DataType.Type.BIGDECIMAL}
_KEEP_KIND = (exp.Sum, exp.Min, exp.Max, exp.Abs, exp.Round, exp.Trunc, exp.Floor, exp.Ceil, exp.Sign)
_FLOAT_OF_NON_NUMERIC = (exp.Avg, exp.Stddev, exp.StddevPop, exp.StddevSamp, exp.Variance, exp.VariancePop)
_FLOAT_UNLESS_NUMERIC = (exp.Sqrt, exp.Ln, exp.Exp, exp.Log, exp.Pow)
_ALWAYS_FLOAT = (exp.Rand, exp.Pi, exp.Cbrt, exp.Degrees, exp.Radians)
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)
_ALWAYS_INTEGER = (exp.Length, exp.StrPosition, exp.ArraySize, exp.Ascii, exp.BitLength, exp.Count)


def pg_rounding(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, the casts to integer types of numeric and float operands, the ``round(x)``
    of floats and ceil, floor, trunc and sign of numerics; True when any was."""
    casts = [c for c in tree.find_all(exp.Cast) if c.to.this in _INTEGER_TYPES and not c.to.expressions]
    rounds = [r for r in tree.find_all(exp.Round) if r.args.get("decimals") is None]
    integral = list(tree.find_all(*_NUMERIC_RESULTS))
    if not casts and not rounds and not integral:
        return False
    fields = column_fields(tree, schema_of)
    changed = False
    for call in integral:
        changed = _numeric_result(call, fields) or changed
    for cast in casts:
        kind = numeric_kind(cast.this, fields)
        if kind in ("numeric", "float"):
            rounding = "round" if kind == "numeric" else RINT
            cast.meta[PG_NAME] = pg_name(cast)  # named as written: price::int is "price"
            cast.set("this", exp.Anonymous(this=rounding, expressions=[cast.this.copy()]))
            changed = True
    for call in rounds:
        if numeric_kind(call.this, fields) == "float":
            rint = exp.Anonymous(this=RINT, expressions=[call.this.copy()])
            rint.meta[PG_NAME] = "round"
            call.replace(rint)
            changed = True
    return changed


_NUMERIC_RESULTS = (exp.Ceil, exp.Floor, exp.Trunc, exp.Sign)
"""Functions whose result, for a numeric, is a numeric of scale 0 (trunc(x, s): of scale s)."""


def _numeric_result(call: exp.Expression, fields: Fields) -> bool:
    """``ceil(2.50)`` is the numeric 3 in PostgreSQL, where DataFusion kept the operand's scale
    (3.00) or, for a decimal constant it reads as a float, answered the float 3.0; ``ceil`` of a
    real is a float8; True when ``call`` was given PostgreSQL's type."""
    kind = numeric_kind(call.this, fields)
    if kind == "float":  # floor(real) is float8: PostgreSQL has these functions for float8 only
        typed = exp.Cast(this=call.copy(), to=exp.DataType.build("DOUBLE"))
        typed.meta[PG_NAME] = pg_name(call)
        call.replace(typed)
        return True
    if kind != "numeric":
        return False
    digits = call.args.get("decimals") if isinstance(call, exp.Trunc) else None
    if digits is not None and not (isinstance(digits, exp.Literal) and digits.this.isdigit()):
        return False  # trunc(x, n) of a computed n: its scale is not known before it runs
    constant = signed_literal(call.this)
    if constant is not None and not constant[0].is_string:
        literal, negative = constant
        call.set("this", decimal_literal(-Decimal(literal.this) if negative else Decimal(literal.this)))
    typed = exp.Cast(this=call.copy(), to=exp.DataType.build(f"DECIMAL(38, {digits.this if digits else 0})"))
    typed.meta[PG_NAME] = pg_name(call)
    call.replace(typed)
    return True


def numeric_kind(node: exp.Expression, fields: Fields) -> str | None:
    """``integer``, ``numeric`` or ``float``: the kind of PostgreSQL type of ``node``; None when not
    known here (text, a function this does not know, a column of no table the statement reads)."""
    while isinstance(node, (exp.Paren, exp.Neg)):
        node = node.this
    if isinstance(node, exp.Literal):
        return None if node.is_string else "integer" if node.this.isdigit() else "numeric"
    if isinstance(node, exp.Column):
        field = fields.get(node.table, {}).get(node.name)
        return None if field is None else _arrow_kind(field.type)
    if isinstance(node, exp.Cast):
        return _cast_kind(node.to)
    if isinstance(node, _ARITHMETIC):
        kinds = {numeric_kind(node.this, fields), numeric_kind(node.expression, fields)}
        return (
            None if None in kinds else "float" if "float" in kinds else "numeric" if "numeric" in kinds else "integer"
        )
    if isinstance(node, _ALWAYS_FLOAT):
        return "float"
    if isinstance(node, _ALWAYS_INTEGER):
        return "integer"
    if isinstance(node, _KEEP_KIND):
        return numeric_kind(node.this, fields)
    if isinstance(node, (*_FLOAT_OF_NON_NUMERIC, *_FLOAT_UNLESS_NUMERIC)):
        inner = numeric_kind(node.this, fields)
        if inner is None:
            return None
        float_input = ("float",) if isinstance(node, _FLOAT_OF_NON_NUMERIC) else ("float", "integer")
        return "float" if inner in float_input else "numeric"
    return None


def _arrow_kind(kind: pa.DataType) -> str | None:
    if pa.types.is_integer(kind):
        return "integer"
    if pa.types.is_decimal(kind):
        return "numeric"
    return "float" if pa.types.is_floating(kind) else None


def _cast_kind(to: exp.DataType) -> str | None:
    if to.this in _INTEGER_TYPES:
        return "integer"
    if to.this in _DECIMAL_TYPES:
        return "numeric"
    return "float" if to.this in _FLOAT_TYPES else None
