"""Checked integer arithmetic (``int4_add`` and its kin, from ``sql/integer_arithmetic.py``):
PostgreSQL's 22003 where DataFusion's own operators would wrap around; ``pg_rint``, the
rounding of a float8 cast to an integer type (``sql/rounding.py``); ``width_bucket``; and
``trim_array``'s check of its count."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING, Callable

import pyarrow as pa
import pyarrow.compute as pc

from ...errors import DataError
from ...sql.integer_arithmetic import OPERATIONS, RANGE_NAMES, WIDTHS, checked_function
from ...sql.rounding import RINT
from ...sql.rules.function_synonyms import TRIM_COUNT
from .strict_rows import strict_rows

if TYPE_CHECKING:
    from datafusion import SessionContext

_KERNELS = {"add": pc.add_checked, "sub": pc.subtract_checked, "mul": pc.multiply_checked}


def _checked(kernel: Callable, width: int) -> Callable[[pa.Array, pa.Array], pa.Array]:
    def run(left: pa.Array, right: pa.Array) -> pa.Array:
        try:
            return kernel(left, right)
        except pa.ArrowInvalid as err:
            if "overflow" not in str(err).lower():
                raise
            message = f"{RANGE_NAMES[width]} out of range"
            raise DataError(f"[SQLSTATE 22003] {message}", sqlstate="22003") from None

    return run


def _rint(values: pa.Array) -> pa.Array:
    return pc.round(values, round_mode="half_to_even")


def width_bucket(operand: float, low: float, high: float, count: int) -> int:
    """PostgreSQL's width_bucket: which of ``count`` equal buckets between ``low`` and ``high``
    holds ``operand`` (0 below them, count + 1 above; buckets run downward when low > high)."""
    if count <= 0:
        raise DataError("[SQLSTATE 2201G] count must be greater than zero", sqlstate="2201G")
    if low == high:
        raise DataError("[SQLSTATE 2201G] lower bound cannot equal upper bound", sqlstate="2201G")
    if not all(math.isfinite(v) for v in (low, high)) or math.isnan(operand):
        raise DataError("[SQLSTATE 2201G] operand, lower bound, and upper bound cannot be NaN", sqlstate="2201G")
    # in decimal, from each float's shortest digits: 0.29 of 0..1 in 100 buckets is bucket 30, as
    # PostgreSQL's numeric computes it (28.999999999999996 in floats)
    operand, low, high = (Decimal(repr(v)) for v in (operand, low, high))
    if low < high:
        if operand < low:
            return 0
        return count + 1 if operand >= high else int((operand - low) * count / (high - low)) + 1
    if operand > low:
        return 0
    return count + 1 if operand <= high else int((low - operand) * count / (low - high)) + 1


def trim_count(count: int, length: int) -> int:
    """``trim_array``'s count of elements to drop, when the array has that many (2202E otherwise)."""
    if not 0 <= count <= length:
        message = f"number of elements to trim must be between 0 and {length}"
        raise DataError(f"[SQLSTATE 2202E] {message}", sqlstate="2202E")
    return count


def register_integer_functions(ctx: SessionContext) -> None:
    from datafusion import udf

    i8 = pa.int64()
    ctx.register_udf(udf(strict_rows(trim_count, i8), [i8, i8], i8, "immutable", TRIM_COUNT))
    ctx.register_udf(udf(_rint, [pa.float64()], pa.float64(), "immutable", RINT))
    f8 = pa.float64()
    ctx.register_udf(
        udf(strict_rows(width_bucket, pa.int32()), [f8, f8, f8, pa.int64()], pa.int32(), "immutable", "width_bucket")
    )

    for width in WIDTHS:
        kind = pa.int16() if width == 16 else pa.int32() if width == 32 else pa.int64()
        for operation in OPERATIONS.values():
            function = _checked(_KERNELS[operation], width)
            ctx.register_udf(udf(function, [kind, kind], kind, "immutable", checked_function(width, operation)))
