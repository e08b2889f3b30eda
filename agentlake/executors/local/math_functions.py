"""The checked float8 functions ``sql/math_domains.py`` calls: PostgreSQL's errors for arguments
outside a function's domain and for results outside float8's range, with its messages; and
``erf`` and ``erfc``, which DataFusion lacks."""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Callable

import pyarrow as pa
import pyarrow.compute as pc

from ...errors import function_error
from ...sql.math_domains import ACOS, ASIN, EXP, LN, LOG, NUMERIC_POWER, POWER
from .strict_rows import strict_rows

if TYPE_CHECKING:
    from datafusion import SessionContext

Checked = Callable[..., pa.Array]


def _any(mask: pa.Array) -> bool:
    return bool(pc.any(mask).as_py())


def _logarithm_argument(values: pa.Array) -> None:
    if _any(pc.equal(values, 0.0)):
        raise function_error("2201E", "cannot take logarithm of zero")
    if _any(pc.less(values, 0.0)):
        raise function_error("2201E", "cannot take logarithm of a negative number")


def _within_range(result: pa.Array, *operands: pa.Array) -> pa.Array:
    """``result``, unless it overflowed: infinite from finite operands (22003)."""
    finite = functools.reduce(pc.and_, [pc.is_finite(operand) for operand in operands])
    if _any(pc.and_(pc.is_inf(result), finite)):
        raise function_error("22003", "value out of range: overflow")
    return result


def natural_logarithm(values: pa.Array) -> pa.Array:
    _logarithm_argument(values)
    return pc.ln(values)


def logarithm(bases: pa.Array, values: pa.Array) -> pa.Array:
    """The logarithm of ``values`` to ``bases`` (``log(x)`` is ``log(10, x)``); a base of 1 is a
    division by zero, as PostgreSQL's numeric log reports it. Base 10 is C's log10, exact at
    powers of ten (``log(1000)`` is 3, where ln(1000)/ln(10) is 2.9999999999999996)."""
    _logarithm_argument(bases)
    _logarithm_argument(values)
    if _any(pc.equal(bases, 1.0)):
        raise function_error("22012", "division by zero")
    return pc.if_else(pc.equal(bases, 10.0), pc.log10(values), pc.divide(pc.ln(values), pc.ln(bases)))


def exponential(values: pa.Array) -> pa.Array:
    return _within_range(pc.exp(values), values)


def numeric_power(bases: pa.Array, exponents: pa.Array) -> pa.Array:
    if _any(pc.and_(pc.equal(bases, 0.0), pc.less(exponents, 0.0))):
        raise function_error("2201F", "zero raised to a negative power is undefined")
    fractional = pc.not_equal(pc.floor(exponents), exponents)
    if _any(pc.and_(pc.less(bases, 0.0), pc.and_(fractional, pc.is_finite(exponents)))):
        raise function_error("2201F", "a negative number raised to a non-integer power yields a complex result")
    return pc.power(bases, exponents)


def power(bases: pa.Array, exponents: pa.Array) -> pa.Array:
    return _within_range(numeric_power(bases, exponents), bases, exponents)


def _inverse_sine(kernel: Callable[[pa.Array], pa.Array]) -> Checked:
    def run(values: pa.Array) -> pa.Array:
        if _any(pc.or_(pc.less(values, -1.0), pc.greater(values, 1.0))):
            raise function_error("22003", "input is out of range")
        return kernel(values)

    return run


def register_math_functions(ctx: SessionContext) -> None:
    from datafusion import udf

    f8 = pa.float64()
    for name, function, width in (
        (LN, natural_logarithm, 1),
        (LOG, logarithm, 2),
        (EXP, exponential, 1),
        (POWER, power, 2),
        (NUMERIC_POWER, numeric_power, 2),
        (ACOS, _inverse_sine(pc.acos), 1),
        (ASIN, _inverse_sine(pc.asin), 1),
    ):
        ctx.register_udf(udf(function, [f8] * width, f8, "immutable", name))
    for name, function in (("erf", math.erf), ("erfc", math.erfc)):
        ctx.register_udf(udf(strict_rows(function, f8), [f8], f8, "immutable", name))
