"""DataFusion expressions compiled into functions over one partition.

``compile_expr`` turns an expression into ``fn(frame, env) -> Series | scalar``:
``frame`` is a partition whose columns are named by the input plan's qualified field
names, ``env`` holds the values of uncorrelated scalar subqueries (computed once by
Dask and passed to every partition). Only Series methods that pandas and cuDF share
are used. ``ScalarFunction.to_variant()`` raises for many functions, so calls are
read through ``rex_call_operator()`` / ``rex_call_operands()`` instead.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

import numpy as np
import pyarrow as pa

from ...errors import DataError, NotSupportedError
from . import functions
from .lists import compare_lists, is_list_value, list_text
from .partitions import arrow_to_series, frame_module

Evaluator = Callable[[Any, tuple], Any]


@dataclass
class ExprScope:
    """What an expression may refer to: input columns, functions, scalar subqueries."""

    columns: list[str]
    functions: dict[str, functions.ScalarFunction] = field(default_factory=dict)
    subquery: Callable[[Any], int] | None = None
    arrow_types: Callable[[], list[pa.DataType]] | None = None

    def column_type(self, name: str) -> pa.DataType | None:
        """The Arrow type DataFusion gives an input column (partitions lose it: ints with NULLs are floats)."""
        if self.arrow_types is None:
            return None
        return dict(zip(self.columns, self.arrow_types())).get(self.resolve(name))

    def resolve(self, name: str) -> str:
        if name in self.columns:
            return name
        suffix = [c for c in self.columns if c.rsplit(".", 1)[-1] == name.rsplit(".", 1)[-1]]
        if len(suffix) == 1:
            return suffix[0]
        raise NotSupportedError(f"column {name!r} not found among {self.columns}")


@dataclass(frozen=True)
class Interval:
    """A SQL interval literal; added to date columns as calendar months plus days."""

    months: int
    days: int
    nanoseconds: int


def is_series(x: Any) -> bool:
    return hasattr(x, "dtype") and hasattr(x, "index")


def series_like(frame: Any, value: Any):
    """A Series of ``value`` aligned with ``frame`` (pandas or cuDF, as the frame is)."""
    if is_series(value):
        return value
    module = frame_module(frame)
    if isinstance(value, pa.Scalar):  # a constant tensor (or other struct) on every row
        return arrow_to_series(pa.repeat(value, len(frame)), frame)
    if isinstance(value, (list, np.ndarray)):  # a constant vector (or other list) on every row
        items = value.tolist() if isinstance(value, np.ndarray) else value
        scalar = pa.scalar(items, pa.list_(pa.from_numpy_dtype(value.dtype)) if isinstance(value, np.ndarray) else None)
        return arrow_to_series(pa.repeat(scalar, len(frame)), frame)
    if isinstance(value, (bool, int, float, np.generic)):  # COUNT(1)'s 1 on every row: no Python list of them
        return module.Series(np.full(len(frame), value), index=frame.index)
    return module.Series([value] * len(frame), index=frame.index)


def literal_value(scalar: pa.Scalar) -> Any:
    """A pyarrow scalar as the Python value partitions compare against."""
    if not scalar.is_valid:
        return None
    t = scalar.type
    if pa.types.is_interval(t):
        v = scalar.value
        return Interval(v.months, v.days, v.nanoseconds)
    if pa.types.is_struct(t):  # a constant tensor: kept in Arrow, as tensor functions take it
        return scalar
    value = scalar.as_py()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return np.datetime64(value.replace(tzinfo=None), "us")
    if isinstance(value, dt.date):
        return np.datetime64(value, "ms")
    return value


def cast_target(expr) -> str:
    """The Arrow type name a CAST targets; the Python binding keeps ``data_type()`` opaque."""
    text = expr.canonical_name()
    return text[:-1].rsplit(" AS ", 1)[1].strip()


def cast_value(value: Any, target: str):
    kind = target.split("(")[0]
    if kind in ("Float64", "Float32", "Decimal128", "Decimal256"):
        return value.astype("float64") if is_series(value) else (None if value is None else float(value))
    if kind.startswith(("Int", "UInt")):
        if is_series(value):
            return value.astype("int64") if not value.isna().any() else value.astype("float64").round(0)
        return None if value is None else int(value)
    if kind in ("Utf8", "Utf8View", "LargeUtf8"):
        if is_series(value) and is_list_value(value):
            return list_text(value)
        return value.astype("str") if is_series(value) else (None if value is None else str(value))
    if kind in ("Date32", "Date64"):
        if is_series(value):
            return value.astype("datetime64[ms]").dt.floor("D")
        return None if value is None else np.datetime64(np.datetime64(value, "D"), "ms")
    if kind.startswith("Timestamp"):
        return value.astype("datetime64[us]") if is_series(value) else np.datetime64(value, "us")
    if kind == "Boolean":
        return value.astype("bool") if is_series(value) else bool(value)
    if kind in ("List", "LargeList", "FixedSizeList"):
        return value  # how DataFusion feeds vectors to the vector functions, which read any list of floats
    raise NotSupportedError(f"CAST to {target} is not supported by the dask executor")


def _is_integer(x: Any) -> bool:
    if is_series(x):
        return str(x.dtype).lower().startswith(("int", "uint"))
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def _divide(a: Any, b: Any, integral: bool = False, exact: bool = False):
    """SQL division: integers truncate; an ``exact`` (integer or numeric) zero divisor is 22012,
    as on the local engine (a float one gives infinity there too)."""
    zero = exact and ((b == 0).fillna(False).any() if is_series(b) else (b is not None and b == 0))
    if zero and (not is_series(a) or len(a)):
        raise DataError("division by zero", sqlstate="22012")
    if integral or (_is_integer(a) and _is_integer(b)):
        quotient = a / b
        return np.trunc(quotient) if not is_series(quotient) else quotient.where(quotient.isna(), np.trunc(quotient))
    return a / b


def _add_interval(value: Any, interval: Interval, sign: int):
    if interval.months:
        import pandas as pd

        offset = pd.DateOffset(months=sign * interval.months, days=sign * interval.days)
        return value + offset
    delta = np.timedelta64(sign * interval.days, "D") + np.timedelta64(sign * interval.nanoseconds, "ns")
    return value + delta


def _arith(op: str, a: Any, b: Any, integral: bool = False, exact: bool = False):
    if isinstance(b, Interval) and op in ("+", "-"):
        return _add_interval(a, b, 1 if op == "+" else -1)
    if isinstance(a, Interval) and op == "+":
        return _add_interval(b, a, 1)
    if op == "/":
        return _divide(a, b, integral, exact)
    if op in _COMPARISONS and (is_list_value(a) or is_list_value(b)):
        return with_nulls(compare_lists(op, a, b), a, b)
    result = _BINARY[op](a, b)
    if op in _COMPARISONS:
        return with_nulls(result, a, b)
    return result


_COMPARISONS = {"=", "!=", "<>", "<", "<=", ">", ">="}


def _null_mask(*values: Any):
    """Rows where any operand is NULL, or None when no operand has a NULL."""
    mask = None
    for value in values:
        if is_series(value):
            missing = value.isna()
            if missing.any():
                mask = missing if mask is None else mask | missing
        elif value is None:
            return True
    return mask


def with_nulls(result: Any, *operands: Any):
    """SQL three-valued logic: a comparison with a NULL operand is NULL (nullable boolean)."""
    mask = _null_mask(*operands)
    if mask is None:
        return result
    if mask is True:
        return None
    if not is_series(result):
        return result
    if type(result).__module__.split(".")[0] == "cudf":  # cuDF booleans carry NULLs natively
        return result.mask(mask)
    return result.astype("boolean").mask(mask)


def _kleene(x: Any) -> bool:
    return is_series(x) and str(x.dtype) in ("bool", "boolean")


def _and(a: Any, b: Any):
    if _kleene(a) and _kleene(b):
        return a & b
    return _truth(a) & _truth(b)


def _or(a: Any, b: Any):
    if _kleene(a) and _kleene(b):
        return a | b
    return _truth(a) | _truth(b)


def _truth(x: Any):
    """Booleans with SQL NULL read as false (predicates keep only true rows)."""
    if is_series(x):
        return x.fillna(False).astype("bool")
    return bool(x) if x is not None else False


def _concat(a: Any, b: Any):
    if a is None or b is None:
        return None
    return (a.astype("str") if is_series(a) else str(a)) + (b.astype("str") if is_series(b) else str(b))


def _distinct(a: Any, b: Any):
    if not is_series(a) and not is_series(b):
        return (a is None) != (b is None) or (a is not None and a != b)
    a_null = a.isna() if is_series(a) else (a is None)
    b_null = b.isna() if is_series(b) else (b is None)
    return (a_null != b_null) | (~a_null & ~b_null & (a != b))


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<>": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "%": lambda a, b: a % b,
    "AND": _and,
    "OR": _or,
    "||": _concat,
    "IS DISTINCT FROM": _distinct,
    "IS NOT DISTINCT FROM": lambda a, b: ~_distinct(a, b) if is_series(a) or is_series(b) else not _distinct(a, b),
}


def like_regex(pattern: str, escape: str | None = None) -> str:
    """A SQL LIKE pattern as an anchored regular expression."""
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if escape and ch == escape and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return "^" + "".join(out) + "$"


def compile_expr(expr, scope: ExprScope) -> Evaluator:
    """Compile one DataFusion expression; unsupported forms raise NotSupportedError (0A000)."""
    kind = expr.variant_name()
    handler = _HANDLERS.get(kind)
    if handler is None:
        raise NotSupportedError(f"expression {kind} ({expr.canonical_name()}) is not supported by the dask executor")
    return handler(expr, scope)


def _column(expr, scope):
    name = scope.resolve(expr.to_variant().qualified_name())
    return lambda df, env: df[name]


def _literal(expr, scope):
    value = literal_value(expr.python_value())
    return lambda df, env: value


def _alias(expr, scope):
    return compile_expr(expr.rex_call_operands()[0], scope)


def static_type(expr, scope: ExprScope) -> pa.DataType | None:
    """The Arrow type of an expression where it follows from columns, literals and casts."""
    kind = expr.variant_name()
    if kind == "Column":
        return scope.column_type(expr.to_variant().qualified_name())
    if kind == "Literal":
        return expr.python_value().type
    if kind == "Alias":
        return static_type(expr.rex_call_operands()[0], scope)
    if kind in ("Cast", "TryCast"):
        target = cast_target(expr)
        kinds = {r"U?Int\d": pa.int64(), "Decimal": pa.decimal128(38, 0), "Float": pa.float64()}
        return next((t for pattern, t in kinds.items() if re.match(pattern, target)), None)
    if kind == "Negative":
        return static_type(expr.rex_call_operands()[0], scope)
    if kind == "BinaryExpr" and expr.rex_call_operator() in ("+", "-", "*", "/", "%"):
        left, right = (static_type(e, scope) for e in expr.rex_call_operands())
        if left is not None and right is not None and pa.types.is_integer(left) and pa.types.is_integer(right):
            return pa.int64()
    return None


def _is_integral(expr, scope: ExprScope) -> bool:
    return _typed(expr, scope, pa.types.is_integer)


def _typed(expr, scope: ExprScope, is_type: Callable[[pa.DataType], bool]) -> bool:
    """Whether ``expr``'s static type is known and passes ``is_type``."""
    t = static_type(expr, scope)
    return t is not None and is_type(t)


def _binary(expr, scope):
    operands = expr.rex_call_operands()
    left, right = (compile_expr(e, scope) for e in operands)
    op = expr.rex_call_operator().upper()
    if op not in _BINARY and op != "/":
        raise NotSupportedError(f"operator {op} is not supported by the dask executor")
    integral = op == "/" and all(_is_integral(e, scope) for e in operands)
    exact = op == "/" and _typed(operands[1], scope, lambda t: pa.types.is_integer(t) or pa.types.is_decimal(t))
    if op == "-" and all(_typed(e, scope, pa.types.is_date) for e in operands):  # date - date is a number of days
        return lambda df, env: _days(_arith(op, left(df, env), right(df, env)))
    return lambda df, env: _arith(op, left(df, env), right(df, env), integral, exact)


def _days(delta: Any):
    if is_series(delta):
        return delta.dt.days.astype("Int64")
    return None if delta is None or delta != delta else int(delta / np.timedelta64(1, "D"))


def _unary(apply: Callable[[Any], Any]):
    def build(expr, scope):
        inner = compile_expr(expr.rex_call_operands()[0], scope)
        return lambda df, env: apply(inner(df, env))

    return build


def _isnull(x):
    return x.isna() if is_series(x) else x is None


def _not(x):
    if _kleene(x):
        return ~x
    return ~_truth(x) if is_series(x) else (None if x is None else not x)


def _cast(expr, scope):
    inner = compile_expr(expr.rex_call_operands()[0], scope)
    target = cast_target(expr)
    cast_value(None, target)  # unsupported targets fail at compile time
    return lambda df, env: cast_value(inner(df, env), target)


def _between(expr, scope):
    v = expr.to_variant()
    value, low, high = (compile_expr(e, scope) for e in (v.expr(), v.low(), v.high()))
    negated = v.negated()

    def run(df, env):
        x, lo, hi = value(df, env), low(df, env), high(df, env)
        inside = with_nulls((x >= lo) & (x <= hi), x, lo, hi)
        return _not(inside) if negated else inside

    return run


def _in_list(expr, scope):
    v = expr.to_variant()
    value = compile_expr(v.expr(), scope)
    items = v.list()
    negated = v.negated()
    if all(i.variant_name() == "Literal" for i in items):
        constants = [literal_value(i.python_value()) for i in items]

        def run(df, env):
            x = value(df, env)
            hit = with_nulls(x.isin(constants), x) if is_series(x) else (None if x is None else x in constants)
            return _not(hit) if negated else hit

        return run
    options = [compile_expr(i, scope) for i in items]

    def run_any(df, env):
        x = value(df, env)
        hit = None
        for option in options:
            eq = _truth(x == option(df, env))
            hit = eq if hit is None else hit | eq
        return ~hit if negated else hit

    return run_any


def _like(expr, scope):
    v = expr.to_variant()
    operator = expr.rex_call_operator().lower()
    value, pattern = compile_expr(v.expr(), scope), v.pattern()
    if pattern.variant_name() != "Literal":
        raise NotSupportedError("LIKE with a non-constant pattern is not supported by the dask executor")
    regex = like_regex(pattern.python_value().as_py(), v.escape_char())
    insensitive, negated = "ilike" in operator, v.negated()

    def run(df, env):
        x = value(df, env)
        if is_series(x):
            hit = with_nulls(_truth(x.str.contains(regex, regex=True, case=not insensitive)), x)
        else:
            hit = None if x is None else re.match(regex, x, re.IGNORECASE if insensitive else 0) is not None
        return _not(hit) if negated else hit

    return run


def _case(expr, scope):
    v = expr.to_variant()
    base = compile_expr(v.expr(), scope) if v.expr() is not None else None
    arms = [(compile_expr(w, scope), compile_expr(t, scope)) for w, t in v.when_then_expr()]
    otherwise = compile_expr(v.else_expr(), scope) if v.else_expr() is not None else (lambda df, env: None)

    def run(df, env):
        """Each WHEN is tested, and each result computed, only on the rows that reach it (as SQL
        evaluates CASE: ``CASE WHEN d = 0 THEN 0 ELSE n / d END`` never divides by zero)."""
        pending = np.arange(len(df))
        positions, values = [], []
        for when, then in arms:
            rows = df.iloc[pending]
            cond = when(rows, env)
            if base is not None:
                cond = base(rows, env) == cond
            hit = pending[_host(series_like(rows, _truth(cond)))]
            taken = df.iloc[hit]
            positions.append(hit)
            values.append(series_like(taken, then(taken, env)))
            pending = np.setdiff1d(pending, hit, assume_unique=True)
        rest = df.iloc[pending]
        positions.append(pending)
        values.append(series_like(rest, otherwise(rest, env)))
        result = frame_module(df).concat(values, ignore_index=True)
        result = result.iloc[np.argsort(np.concatenate(positions), kind="stable")]
        result.index = df.index
        return result

    return run


def _host(mask) -> np.ndarray:
    """A boolean Series as a numpy mask (cuDF's live on the device)."""
    return mask.to_numpy() if hasattr(mask, "to_numpy") else np.asarray(mask)


def _scalar_function(expr, scope):
    name = expr.rex_call_operator()
    fn = functions.lookup(name, scope.functions)
    if fn is None:
        raise NotSupportedError(f"function {name}() is not supported by the dask executor")
    args = [compile_expr(e, scope) for e in expr.rex_call_operands()]
    return lambda df, env: fn(*(a(df, env) for a in args))


def _scalar_subquery(expr, scope):
    if scope.subquery is None:
        raise NotSupportedError("scalar subquery outside a plan is not supported by the dask executor")
    index = scope.subquery(expr.to_variant().subquery())

    def value(df, env):
        if env[index + 1] > 1:  # its row count
            raise DataError("more than one row returned by a subquery used as an expression", sqlstate="21000")
        return env[index]

    return value


_HANDLERS: dict[str, Callable[[Any, ExprScope], Evaluator]] = {
    "Column": _column,
    "Literal": _literal,
    "Alias": _alias,
    "BinaryExpr": _binary,
    "Not": _unary(_not),
    "Negative": _unary(lambda x: -x),
    "IsNull": _unary(_isnull),
    "IsNotNull": _unary(lambda x: ~_isnull(x) if is_series(x) else x is not None),
    "IsTrue": _unary(_truth),
    "IsFalse": _unary(lambda x: _truth(_not(x)) if is_series(x) else x is False),
    "IsNotTrue": _unary(lambda x: ~_truth(x) if is_series(x) else x is not True),
    "IsNotFalse": _unary(lambda x: ~_truth(_not(x)) if is_series(x) else x is not False),
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
