"""DataFusion expressions compiled into Polars expressions.

``compile_expr`` turns an expression into a ``pl.Expr`` over a frame whose columns
carry the input plan's qualified field names (or an ``Interval``, for interval
literals, which only date arithmetic takes). Polars already has SQL's three-valued
logic (comparisons with NULL are NULL, AND/OR are Kleene, filters keep true rows);
what differs is spelled out here: integer division truncates, an exact zero divisor
fails the query (22012), ``%`` takes the dividend's sign, LIKE is an anchored regex.
Types the compiler needs to choose an operation come from DataFusion's schema
(``static_type``, shared with the Dask compiler); where a type that matters is not
known the expression is declined, never guessed.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any, Callable

import polars as pl
import pyarrow as pa

from ..dask.expressions import Interval, cast_target, like_regex, static_type
from . import functions
from .registry import Scope
from .runtime import checked, declined
from .types import polars_type

Value = Any  # a pl.Expr, or an Interval


def compile_expr(expr, scope: Scope) -> Value:
    """Compile one DataFusion expression; unsupported forms raise NotSupportedError (0A000)."""
    kind = expr.variant_name()
    handler = _HANDLERS.get(kind)
    if handler is None:
        raise declined(f"expression {kind} ({expr.canonical_name()})")
    return handler(expr, scope)


def compile_column(expr, scope: Scope) -> pl.Expr:
    """Like :func:`compile_expr`, for places that need a column value (not an interval)."""
    value = compile_expr(expr, scope)
    if isinstance(value, Interval):
        raise declined(f"the interval {expr.canonical_name()} as a value")
    return value


def _column(expr, scope: Scope) -> pl.Expr:
    return pl.col(scope.resolve(expr.to_variant().qualified_name()))


def _literal(expr, scope: Scope) -> Value:
    scalar = expr.python_value()
    if pa.types.is_interval(scalar.type):
        if not scalar.is_valid:
            raise declined("a NULL interval")
        v = scalar.value
        return Interval(v.months, v.days, v.nanoseconds)
    value = scalar.as_py()
    if isinstance(value, Decimal):
        value = float(value)
    return pl.lit(value, dtype=polars_type(scalar.type))


def _alias(expr, scope: Scope) -> Value:
    return compile_expr(expr.rex_call_operands()[0], scope)


def _typed(expr, scope: Scope, *checks: Callable[[pa.DataType], bool]) -> bool:
    """Whether ``expr``'s type is known and passes one of ``checks``."""
    t = static_type(expr, scope)
    return t is not None and any(check(t) for check in checks)


def _exact(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_decimal(t)


def _integral(expr, scope: Scope) -> bool:
    """Whether a number-valued expression is an integer (integer and float division differ);
    declined where its type does not follow from columns, literals, casts and arithmetic."""
    t = static_type(expr, scope)
    if t is not None:
        return pa.types.is_integer(t)
    kind = expr.variant_name()
    if kind == "Alias":
        return _integral(expr.rex_call_operands()[0], scope)
    if kind == "BinaryExpr" and expr.rex_call_operator() in ("+", "-", "*", "/", "%"):
        return all(_integral(e, scope) for e in expr.rex_call_operands())
    if kind == "Case":
        v = expr.to_variant()
        arms = [then for _, then in v.when_then_expr()] + ([v.else_expr()] if v.else_expr() is not None else [])
        return all(_integral(e, scope) for e in arms if not _typed(e, scope, pa.types.is_null))
    raise declined(f"arithmetic on {expr.canonical_name()}, of unknown type")


def _truncated_quotient(a: pl.Expr, b: pl.Expr, integer: bool) -> pl.Expr:
    if integer:
        return (a.abs() // b.abs()) * a.sign() * b.sign()
    quotient = a / b
    return pl.when(quotient >= 0).then(quotient.floor()).otherwise(quotient.ceil())


def _add_interval(value: pl.Expr, interval: Interval, sign: int) -> pl.Expr:
    for amount, unit in ((interval.months, "mo"), (interval.days, "d"), (interval.nanoseconds, "ns")):
        if amount:
            value = value.dt.offset_by(f"{sign * amount}{unit}")
    return value


_COMPARE: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<>": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "AND": lambda a, b: a & b,
    "OR": lambda a, b: a | b,
    "IS DISTINCT FROM": lambda a, b: a.ne_missing(b),
    "IS NOT DISTINCT FROM": lambda a, b: a.eq_missing(b),
}
_REGEX = {"~": ("", False), "~*": ("(?i)", False), "!~": ("", True), "!~*": ("(?i)", True)}


def _binary(expr, scope: Scope) -> Value:
    operands = expr.rex_call_operands()
    op = expr.rex_call_operator().upper()
    left, right = (compile_expr(e, scope) for e in operands)
    if isinstance(right, Interval) and op in ("+", "-"):
        return _add_interval(left, right, 1 if op == "+" else -1)
    if isinstance(left, Interval) and op == "+":
        return _add_interval(right, left, 1)
    if isinstance(left, Interval) or isinstance(right, Interval):
        raise declined(f"interval arithmetic {expr.canonical_name()}")
    if op in _COMPARE:
        if any(_typed(e, scope, pa.types.is_list, pa.types.is_fixed_size_list) for e in operands):
            raise declined("comparing lists")
        return _COMPARE[op](left, right)
    if op in ("+", "*"):
        return left + right if op == "+" else left * right
    if op == "-":
        if all(_typed(e, scope, pa.types.is_date) for e in operands):  # date - date is a number of days
            return (left - right).dt.total_days()
        if any(_typed(e, scope, pa.types.is_timestamp, pa.types.is_date) for e in operands):
            raise declined("timestamp subtraction")
        return left - right
    if op in ("/", "%"):
        return _divide(op, left, right, operands, scope)
    if op == "||":
        return pl.concat_str([left.cast(pl.String), right.cast(pl.String)])
    if op in _REGEX and operands[1].variant_name() == "Literal":
        flags, negated = _REGEX[op]
        hit = left.str.contains(flags + operands[1].python_value().as_py())
        return ~hit if negated else hit
    raise declined(f"operator {op}")


def _divide(op: str, left: pl.Expr, right: pl.Expr, operands, scope: Scope) -> pl.Expr:
    """SQL ``/`` and ``%``: integers truncate, ``%`` keeps the dividend's sign, and an integer or
    decimal zero divisor is 22012 (a float one gives infinity or NaN, as in DataFusion)."""
    integer = all(_integral(e, scope) for e in operands)
    divisor = operands[1]
    constant = divisor.python_value() if divisor.variant_name() == "Literal" else None
    if _typed(divisor, scope, _exact) and not (constant is not None and constant.is_valid and constant.as_py() != 0):
        right = checked(right, scope.guarded(right == 0), "22012", "division by zero")
    if op == "/":
        return _truncated_quotient(left, right, True) if integer else left / right
    return left - right * _truncated_quotient(left, right, integer)


def _unary(apply: Callable[[pl.Expr], pl.Expr]):
    def build(expr, scope: Scope) -> pl.Expr:
        return apply(compile_column(expr.rex_call_operands()[0], scope))

    return build


def _negative(expr, scope: Scope) -> Value:
    inner = compile_expr(expr.rex_call_operands()[0], scope)
    if isinstance(inner, Interval):
        return Interval(-inner.months, -inner.days, -inner.nanoseconds)
    return -inner


_INTEGERS = {
    "Int8": pl.Int8,
    "Int16": pl.Int16,
    "Int32": pl.Int32,
    "Int64": pl.Int64,
    "UInt8": pl.UInt8,
    "UInt16": pl.UInt16,
    "UInt32": pl.UInt32,
    "UInt64": pl.UInt64,
}


def _cast(expr, scope: Scope) -> pl.Expr:
    """CAST to the types whose conversion Polars does as DataFusion does; strict, so a value
    that does not convert fails the query (and the router asks DataFusion for its error)."""
    operand = expr.rex_call_operands()[0]
    inner = compile_column(operand, scope)
    source = static_type(operand, scope)
    target = cast_target(expr)
    kind = target.split("(")[0]
    strict = expr.variant_name() == "Cast"
    if kind in ("Float64", "Float32", "Decimal128", "Decimal256"):
        return inner.cast(pl.Float32 if kind == "Float32" else pl.Float64, strict=strict)
    if kind in _INTEGERS:
        return inner.cast(_INTEGERS[kind], strict=strict)
    if kind in ("Utf8", "Utf8View", "LargeUtf8"):
        if source is None or not (
            pa.types.is_string(source)
            or pa.types.is_string_view(source)
            or pa.types.is_large_string(source)
            or pa.types.is_integer(source)
            or pa.types.is_date(source)
            or pa.types.is_boolean(source)
        ):
            raise declined(f"CAST of {source or 'a value of unknown type'} to text")
        return inner.cast(pl.String)
    if kind in ("Date32", "Date64"):
        if source is not None and (pa.types.is_string(source) or pa.types.is_string_view(source)):
            return inner.str.to_date("%Y-%m-%d", strict=strict)
        if source is not None and (pa.types.is_date(source) or pa.types.is_timestamp(source)):
            return inner.cast(pl.Date)
        raise declined(f"CAST of {source or 'a value of unknown type'} to a date")
    if kind == "Boolean" and source is not None and (pa.types.is_boolean(source) or pa.types.is_integer(source)):
        return inner.cast(pl.Boolean)
    if (
        kind.startswith("Timestamp")
        and source is not None
        and (pa.types.is_date(source) or pa.types.is_timestamp(source))
    ):
        return inner.cast(pl.Datetime("us"))
    raise declined(f"CAST of {source or 'a value of unknown type'} to {target}")


def _between(expr, scope: Scope) -> pl.Expr:
    v = expr.to_variant()
    value, low, high = (compile_column(e, scope) for e in (v.expr(), v.low(), v.high()))
    inside = (value >= low) & (value <= high)
    return ~inside if v.negated() else inside


def _in_list(expr, scope: Scope) -> pl.Expr:
    """``x IN (a, b, ...)`` as ``x = a OR x = b ...``, which is SQL's NULL logic; a list of
    non-NULL constants as ``is_in`` (NULL for a NULL ``x``, as SQL has it)."""
    v = expr.to_variant()
    value = compile_column(v.expr(), scope)
    items = v.list()
    constants = [i.python_value() for i in items if i.variant_name() == "Literal"]
    if len(constants) == len(items) and all(c.is_valid for c in constants):
        values = [float(c.as_py()) if isinstance(c.as_py(), Decimal) else c.as_py() for c in constants]
        hit = value.is_in(pl.Series(values, dtype=polars_type(constants[0].type)).implode())
    else:
        hit = pl.lit(False)
        for item in items:
            hit = hit | (value == compile_column(item, scope))
    return ~hit if v.negated() else hit


def _like(expr, scope: Scope) -> pl.Expr:
    v = expr.to_variant()
    value, pattern = compile_column(v.expr(), scope), v.pattern()
    if pattern.variant_name() != "Literal":
        raise declined("LIKE with a non-constant pattern")
    flags = "(?s)" + ("(?i)" if "ilike" in expr.rex_call_operator().lower() else "")
    hit = value.str.contains(flags + like_regex(pattern.python_value().as_py(), v.escape_char()))
    return ~hit if v.negated() else hit


def _case(expr, scope: Scope) -> pl.Expr:
    """A when/then chain; each WHEN and THEN is compiled for only the rows that reach it, so a
    division guarded by an earlier arm (``WHEN d = 0 THEN 0 ELSE n / d``) never fails."""
    v = expr.to_variant()
    base = compile_column(v.expr(), scope) if v.expr() is not None else None
    pending = scope.reach if scope.reach is not None else pl.lit(True)
    chain = None
    for when, then in v.when_then_expr():
        arm = dataclasses.replace(scope, reach=pending)
        condition = compile_column(when, arm)
        if base is not None:
            condition = base == condition
        taken = condition.fill_null(False)
        result = compile_column(then, dataclasses.replace(scope, reach=pending & taken))
        chain = pl.when(taken).then(result) if chain is None else chain.when(taken).then(result)
        pending = pending & ~taken
    otherwise = (
        compile_column(v.else_expr(), dataclasses.replace(scope, reach=pending))
        if v.else_expr() is not None
        else pl.lit(None)
    )
    return chain.otherwise(otherwise) if chain is not None else otherwise


def _scalar_function(expr, scope: Scope) -> pl.Expr:
    name = expr.rex_call_operator().lower()
    build = functions.FUNCTIONS.get(name)
    if build is None:
        raise declined(f"function {name}()")
    raw = list(expr.rex_call_operands())
    return build(functions.Call(name, [compile_column(e, scope) for e in raw], raw))


def _scalar_subquery(expr, scope: Scope) -> pl.Expr:
    if scope.subquery is None:
        raise declined("a scalar subquery outside a plan")
    return scope.subquery(expr.to_variant().subquery(), scope)


_HANDLERS: dict[str, Callable[[Any, Scope], Value]] = {
    "Column": _column,
    "Literal": _literal,
    "Alias": _alias,
    "BinaryExpr": _binary,
    "Not": _unary(lambda x: ~x),
    "Negative": _negative,
    "IsNull": _unary(pl.Expr.is_null),
    "IsNotNull": _unary(pl.Expr.is_not_null),
    "IsTrue": _unary(lambda x: x.fill_null(False)),
    "IsFalse": _unary(lambda x: (~x).fill_null(False)),
    "IsNotTrue": _unary(lambda x: ~x.fill_null(False)),
    "IsNotFalse": _unary(lambda x: x.fill_null(True)),
    "IsUnknown": _unary(pl.Expr.is_null),
    "IsNotUnknown": _unary(pl.Expr.is_not_null),
    "Cast": _cast,
    "TryCast": _cast,
    "Between": _between,
    "InList": _in_list,
    "Like": _like,
    "ILike": _like,
    "Case": _case,
    "ScalarFunction": _scalar_function,
    "ScalarSubquery": _scalar_subquery,
}
