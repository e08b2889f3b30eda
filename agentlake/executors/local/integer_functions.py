"""Checked integer arithmetic (``int4_add`` and its kin, from ``sql/integer_arithmetic.py``):
PostgreSQL's 22003 where DataFusion's own operators would wrap around; and ``pg_rint``, the
rounding of a float8 cast to an integer type (``sql/rounding.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import pyarrow as pa
import pyarrow.compute as pc

from ...errors import DataError
from ...sql.integer_arithmetic import OPERATIONS, RANGE_NAMES, WIDTHS, checked_function
from ...sql.rounding import RINT

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


def register_integer_functions(ctx: SessionContext) -> None:
    from datafusion import udf

    ctx.register_udf(udf(_rint, [pa.float64()], pa.float64(), "immutable", RINT))

    for width in WIDTHS:
        kind = pa.int16() if width == 16 else pa.int32() if width == 32 else pa.int64()
        for operation in OPERATIONS.values():
            function = _checked(_KERNELS[operation], width)
            ctx.register_udf(udf(function, [kind, kind], kind, "immutable", checked_function(width, operation)))
