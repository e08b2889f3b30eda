"""Checked integer arithmetic (``int4_add`` and its kin, from ``sql/integer_arithmetic.py``):
PostgreSQL's 22003 where DataFusion's own operators would wrap around."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import pyarrow as pa
import pyarrow.compute as pc

from ...errors import DataError
from ...sql.integer_arithmetic import OPERATIONS, WIDTHS, checked_function

if TYPE_CHECKING:
    from datafusion import SessionContext

_KERNELS = {"add": pc.add_checked, "sub": pc.subtract_checked, "mul": pc.multiply_checked}
_RANGE_NAMES = {16: "smallint", 32: "integer", 64: "bigint"}


def _checked(kernel: Callable, width: int) -> Callable[[pa.Array, pa.Array], pa.Array]:
    def run(left: pa.Array, right: pa.Array) -> pa.Array:
        try:
            return kernel(left, right)
        except pa.ArrowInvalid as err:
            if "overflow" not in str(err).lower():
                raise
            message = f"{_RANGE_NAMES[width]} out of range"
            raise DataError(f"[SQLSTATE 22003] {message}", sqlstate="22003") from None

    return run


def register_integer_functions(ctx: SessionContext) -> None:
    from datafusion import udf

    for width in WIDTHS:
        kind = pa.int16() if width == 16 else pa.int32() if width == 32 else pa.int64()
        for operation in OPERATIONS.values():
            function = _checked(_KERNELS[operation], width)
            ctx.register_udf(udf(function, [kind, kind], kind, "immutable", checked_function(width, operation)))
