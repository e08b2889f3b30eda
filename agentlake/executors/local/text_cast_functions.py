"""The text of dates, times, timestamps, intervals, floats and unconstrained numerics as PostgreSQL
prints them (see
``sql/text_casts.py``): DataFusion's casts to text write ISO 8601 with a ``T``, padded fractions and
``Z``, and a numeric's storage scale."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from ...sql.text_casts import TEXT_FUNCTIONS
from ...sql.text_output import float_text, interval_text, special_float_text, text_array
from ...sql.unconstrained_numeric import plain_text
from ...sql.uuid_input import canonical_uuids

if TYPE_CHECKING:
    from datafusion import SessionContext

_ARGUMENT_TYPES = {
    "date": pa.date32(),
    "time": pa.time64("us"),
    "timestamp": pa.timestamp("us"),
    "timestamptz": pa.timestamp("us", tz="UTC"),
}
"""The temporal kinds' argument types; the numeric one's is ``_NUMERIC``."""
_NUMERIC = pa.decimal128(38, 10)


def _floats_text(single: bool):
    def call(values: pa.Array) -> pa.Array:
        return pa.array(
            [None if v is None else special_float_text(v) or float_text(v, single) for v in values.to_pylist()],
            pa.string(),
        )

    return call


def _intervals_text(values: pa.Array) -> pa.Array:
    texts = [None if v is None else interval_text(v.months, v.days, v.nanoseconds // 1000) for v in values.to_pylist()]
    return pa.array(texts, pa.string())


def register_text_cast_functions(ctx: SessionContext) -> None:
    """One text function per kind, named by :data:`TEXT_FUNCTIONS`."""
    from datafusion import udf

    for kind, arrow_type in _ARGUMENT_TYPES.items():
        ctx.register_udf(udf(text_array, [arrow_type], pa.string(), "immutable", name=TEXT_FUNCTIONS[kind]))
    ctx.register_udf(udf(plain_text, [_NUMERIC], pa.string(), "immutable", name=TEXT_FUNCTIONS["numeric"]))
    for kind, arrow_type, single in (("float8", pa.float64(), False), ("float4", pa.float32(), True)):
        ctx.register_udf(udf(_floats_text(single), [arrow_type], pa.string(), "immutable", name=TEXT_FUNCTIONS[kind]))
    interval = pa.month_day_nano_interval()
    ctx.register_udf(udf(_intervals_text, [interval], pa.string(), "immutable", name=TEXT_FUNCTIONS["interval"]))
    ctx.register_udf(udf(canonical_uuids, [pa.string()], pa.string(), "immutable", name="uuid_in"))  # ::uuid
