"""Casts to types DataFusion lacks: vector, json/jsonb, jsonpath, uuid, timestamptz (``::jsonb`` checks the
text and keeps it as PostgreSQL prints it)."""

from __future__ import annotations

import datetime as dt
import math
import sys
from decimal import Decimal, InvalidOperation

import numpy as np
import pyarrow as pa
from sqlglot import exp

from ...errors import DataError, ProgrammingError
from ..literals import signed_literal
from ..params import decimal_literal
from ..text_input import MOVING_WORDS, read_text
from . import transform_up

T = exp.DataType.Type
_MICROSECOND_TIME = "Time64(Microsecond)"
_UTC = 'Timestamp(Microsecond, Some("UTC"))'


def _is_user_type(to: exp.DataType, name: str) -> bool:
    return to.this == T.USERDEFINED and str(to.args.get("kind", "")).lower() == name


def _is_vector(to: exp.DataType) -> bool:
    return to.this == T.VECTOR or _is_user_type(to, "vector")


_FROM_NUMBERS = (
    "array_to_",
    "array_repeat",
    "array_agg",
    "halfvec_",
    "to_halfvec",
    "to_vector",
    "vector_",
    "sparsevec_to_",
    "l2_normalize",
    "subvector",
)
"""Functions whose results are numbers (arrays, halfvecs): cast to a vector type element by element."""


def _is_sparse(node: exp.Expression) -> bool:
    if isinstance(node, exp.Cast):
        return _is_user_type(node.to, "sparsevec")
    return isinstance(node, exp.Anonymous) and node.name.lower() in (
        "to_sparsevec",
        "array_to_sparsevec",
        "sparsevec_l2_normalize",
        "sparsevec_vector_with_dimensions",
    )


def _is_numeric_list(node: exp.Expression) -> bool:
    """Whether ``node`` is an array or a (half)vector, not pgvector's text form."""
    if isinstance(node, exp.Array):
        return True
    if isinstance(node, exp.Cast):
        return node.to.this == T.ARRAY or _is_vector(node.to) or _is_user_type(node.to, "halfvec")
    return isinstance(node, exp.Anonymous) and node.name.lower().startswith(_FROM_NUMBERS)


def _is_nested_array(node: exp.Expression) -> bool:
    """Whether ``node`` is written as an array of arrays: ``ARRAY[[1]]`` or ``'{{1}}'::real[]``."""
    if isinstance(node, exp.Cast) and node.to.this == T.ARRAY:
        node = node.this
        if isinstance(node, exp.Literal) and node.is_string:
            return node.this.strip()[1:].lstrip().startswith("{")
    return isinstance(node, exp.Array) and any(isinstance(item, exp.Array) for item in node.expressions)


def _to_dense(node: exp.Cast, kind: str) -> exp.Expression:
    """``x::vector(n)`` / ``x::halfvec(n)``: text read by the type's input function, arrays and the other
    vector type converted element by element; ``n`` checked as PostgreSQL checks a type modifier."""
    inner = node.this
    if _is_nested_array(inner):  # pgvector's array_to_vector (and kin) take one dimension only
        raise DataError("array must be 1-D", sqlstate="22000")
    if _is_sparse(inner):
        vector = inner if kind == "sparsevec" else exp.Anonymous(this=f"sparsevec_to_{kind}", expressions=[inner])
    else:
        name = f"array_to_{kind}" if _is_numeric_list(inner) else f"to_{kind}"
        vector = exp.Anonymous(this=name, expressions=[inner])
    dims = node.to.expressions
    checked = "vector_with_dimensions" if kind == "vector" else f"{kind}_vector_with_dimensions"
    return exp.Anonymous(this=checked, expressions=[vector, dims[0].this]) if dims else vector


def _cast_function(node: exp.Anonymous) -> exp.Expression:
    """pgvector's cast functions called by name with its cast arguments, ``array_to_vector(a, typmod,
    explicit)``: the array converted, then checked against ``typmod`` (-1: any dimension) as a cast
    to ``vector(typmod)`` is; ``explicit`` changes nothing in pgvector."""
    kind = node.name.lower().removeprefix("array_to_")
    array, typmod = node.expressions[0], node.expressions[1]
    vector = exp.Anonymous(this=node.name, expressions=[array])
    if isinstance(typmod, exp.Neg) or (isinstance(typmod, exp.Literal) and int(typmod.name) < 0):
        return vector
    checked = "vector_with_dimensions" if kind == "vector" else f"{kind}_vector_with_dimensions"
    return exp.Anonymous(this=checked, expressions=[vector, typmod])


_READ_AS = {
    T.BOOLEAN: pa.bool_(),
    T.DATE: pa.date32(),
    T.TIME: pa.time64("us"),
    T.TIMESTAMP: pa.timestamp("us"),
    T.TIMESTAMPTZ: pa.timestamp("us", tz="UTC"),
}


_NAMES = {
    T.DATE: "date",
    T.TIME: "time without time zone",
    T.TIMESTAMP: "timestamp without time zone",
    T.TIMESTAMPTZ: "timestamp with time zone",
}


def _read_literal(node: exp.Cast) -> None:
    """A number cast to a date or time is 42846 (PostgreSQL has no such cast; DataFusion would read
    days or seconds since 1970). ``'yes'::boolean``, ``'2024-01-02 03:04'::timestamp``, ``'3:04 PM'::time``: a quoted constant
    is read by PostgreSQL's input function (``text_input``) and handed to DataFusion in the one
    spelling it reads. Words whose value depends on when they are read (``now``, ``today``) become
    ``now()`` expressions, evaluated by the statement: its SQL text may be cached."""
    literal, target = node.this, _READ_AS.get(node.to.this)
    if target is None:
        return
    number = literal.this if isinstance(literal, exp.Neg) else literal
    if isinstance(number, exp.Literal) and not number.is_string and not pa.types.is_boolean(target):
        source = "integer" if number.this.isdigit() else "numeric"
        raise ProgrammingError(f"cannot cast type {source} to {_NAMES[node.to.this]}", sqlstate="42846")
    if not isinstance(literal, exp.Literal) or not literal.is_string:
        return
    word = literal.this.strip().lower()
    if word in MOVING_WORDS and not pa.types.is_boolean(target):
        node.set("this", _moment_of(word))
        return
    value = read_text(pa.array([literal.this]), pa.field("value", target))[0].as_py()
    spelled = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else str(value).lower()
    if isinstance(value, (dt.date, dt.time)) and not isinstance(value, dt.datetime):
        spelled = value.isoformat()
    literal.set("this", spelled)


def _moment_of(word: str) -> exp.Expression:
    """``now``, ``today``, ``tomorrow``, ``yesterday`` as expressions of the statement's time."""
    now = exp.Anonymous(this="now", expressions=[])
    if word == "now":
        return now
    day = exp.Anonymous(this="date_trunc", expressions=[exp.Literal.string("day"), now])
    steps = {"today": 0, "tomorrow": 1, "yesterday": -1}[word]
    return day if not steps else exp.Add(this=day, expression=exp.Interval(this=exp.Literal.string(f"{steps} day")))


def _numeric_constant(node: exp.Cast) -> exp.Expression | None:
    """A constant cast to ``numeric`` without precision and scale, as a numeric of its own digits:
    PostgreSQL keeps each value's scale (``'1.50'::numeric`` prints ``1.50``, ``7::numeric`` ``7``,
    ``'1e3'::numeric`` ``1000``), where the storage type of such columns, decimal(38, 10), would
    print ten fractional digits (and DataFusion reads no exponent). None for anything else: other
    text (``'NaN'``, a typo) is left to the cast, which reports it."""
    to = node.to
    if to.this not in (T.DECIMAL, T.BIGDECIMAL) or to.expressions:
        return None
    signed = signed_literal(node.this)
    if signed is None:
        return None
    inner, negative = signed
    try:
        value = Decimal(inner.this.strip() if inner.is_string else inner.this)
    except InvalidOperation:
        return None
    if not value.is_finite() or len(value.as_tuple().digits) + max(value.as_tuple().exponent, 0) > 38:
        return None
    return decimal_literal(-value if negative else value)


def _float_constant(node: exp.Cast) -> exp.Expression | None:
    """A numeric constant cast to float8 or real, cast from its text: DataFusion reads ``1e15`` as a
    decimal and its decimal-to-float cast divides in floating point (``1e15::float8`` was
    999999999999999.9), where parsing the digits gives the nearest float, as PostgreSQL does."""
    if node.to.this not in (T.DOUBLE, T.FLOAT):
        return None
    if isinstance(node.this, exp.Literal) and node.this.is_string:
        _refuse_out_of_range(node.this.this, node.to)
        return None
    signed = signed_literal(node.this)
    if signed is None or signed[0].is_string or signed[0].this.isdigit():
        return None
    inner, negative = signed
    _refuse_out_of_range(inner.this, node.to)
    return exp.Cast(this=exp.Literal.string(("-" if negative else "") + inner.this), to=node.to)


def _refuse_out_of_range(text: str, to: exp.DataType) -> None:
    """22003 for a constant beyond the float type's range (``'1e400'::float8``), which DataFusion
    reads as infinity; the spellings of infinity itself are left to the cast."""
    try:
        value = float(text)
    except ValueError:
        return
    largest = sys.float_info.max if to.this == T.DOUBLE else float(np.finfo(np.float32).max)
    if (math.isinf(value) or abs(value) > largest) and "inf" not in text.lower():
        name = "double precision" if to.this == T.DOUBLE else "real"
        raise DataError(f'"{text.strip()}" is out of range for type {name}', sqlstate="22003")


def _length_limit(to: exp.DataType) -> int | None:
    """The length an explicit cast to ``varchar(n)`` or ``char(n)`` cuts text to, as PostgreSQL's
    does (silently; storing longer text into such a column is 22001 instead). None for other types
    and for ``varchar`` without a length."""
    if to.this not in (T.VARCHAR, T.CHAR) or not to.expressions:
        return None
    length = to.expressions[0].this
    return int(length.this) if isinstance(length, exp.Literal) and length.this.isdigit() else None


def pg_casts(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        if (
            isinstance(node, exp.Anonymous)
            and node.name.lower() in ("array_to_vector", "array_to_halfvec", "array_to_sparsevec")
            and len(node.expressions) == 3
        ):
            return _cast_function(node)
        if not isinstance(node, exp.Cast):
            return node
        _read_literal(node)
        numeric = _numeric_constant(node)
        if numeric is not None:
            return numeric
        floated = _float_constant(node)
        if floated is not None:
            return floated
        to = node.to
        if _is_vector(to):
            return _to_dense(node, "vector")
        if _is_user_type(to, "halfvec"):
            return _to_dense(node, "halfvec")
        if _is_user_type(to, "sparsevec"):
            return _to_dense(node, "sparsevec")
        if to.this == T.JSONB:
            return exp.Anonymous(this="jsonb_in", expressions=[node.this])
        if to.this == T.UUID:  # checked and made canonical, as PostgreSQL's uuid input does
            return exp.Anonymous(
                this="uuid_in", expressions=[exp.Cast(this=node.this, to=exp.DataType.build("VARCHAR"))]
            )
        limit = _length_limit(to)
        if to.this == T.CHAR and limit is not None:  # char(n): stored without its padding
            text = exp.Cast(this=node.this, to=exp.DataType.build("VARCHAR"))
            cut = exp.Anonymous(
                this="substr", expressions=[text, exp.Literal.number(1), exp.Literal.number(limit or 1)]
            )
            return exp.Anonymous(this="rtrim", expressions=[cut, exp.Literal.string(" ")])
        if limit is not None:
            text = exp.Cast(this=node.this, to=exp.DataType.build("VARCHAR"))
            return exp.Anonymous(this="substr", expressions=[text, exp.Literal.number(1), exp.Literal.number(limit)])
        if to.this in (T.JSON, T.NAME, T.CHAR) or _is_user_type(to, "jsonpath"):
            return exp.Cast(this=node.this, to=exp.DataType.build("VARCHAR"))
        if to.this in (T.TIMESTAMPTZ, T.TIMESTAMPLTZ):
            inner = exp.Cast(this=node.this, to=exp.DataType.build("TIMESTAMP"))
            return exp.Anonymous(this="arrow_cast", expressions=[inner, exp.Literal.string(_UTC)])
        if to.this == T.TIME:
            # DataFusion's TIME is in nanoseconds, time columns in microseconds, and it compares neither with the other
            return exp.Anonymous(this="arrow_cast", expressions=[node.copy(), exp.Literal.string(_MICROSECOND_TIME)])
        return node

    return transform_up(tree, rewrite)
