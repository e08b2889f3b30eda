"""The text of dates, times, timestamps, intervals, floats, unconstrained numerics and arrays as
PostgreSQL prints them (see ``sql/text_casts.py``): DataFusion's casts to text write ISO 8601 with a
``T``, padded fractions and ``Z``, a numeric's storage scale, and arrays as ``[1, 2]``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pyarrow as pa

from ...sql.array_text import array_output
from ...sql.enum_expressions import ENUM_INPUT
from ...sql.enum_types import checked_input
from ...sql.text_casts import ARRAY_TEXT, TEXT_FUNCTIONS
from ...sql.text_output import float_text, interval_text, special_float_text, text_array
from ...sql.unconstrained_numeric import plain_text
from ...sql.uuid_input import canonical_uuids
from .strict_rows import strict_rows
from .value_text import output_text

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


def _interval_text(value) -> str:
    return interval_text(value.months, value.days, value.nanoseconds // 1000)


def array_text(values_json: str, arrow_type: str) -> str:
    """array_out's text of an array handed over as its JSON and ``arrow_typeof`` (a UDF takes
    lists of one element type only): each element printed as its type's output function does."""
    element_type = arrow_type
    while element_type.startswith(("List(", "LargeList(")):
        element_type = element_type[element_type.index("(") + 1 : -1]
    values = json.loads(values_json, parse_float=str, parse_int=str)  # numbers keep their digits
    return array_output(values, lambda value: _element_text(value, element_type))


def _element_text(value, element_type: str) -> str:
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(", ", ": "))  # a json element
    return output_text(value, element_type)


def _enum_input(values: pa.Array, names: pa.Array, labels: pa.Array) -> pa.Array:
    """``x::mood`` of a column: the text checked against the type's labels (constant arguments)."""
    if len(values) == 0:
        return values
    return checked_input(values, names[0].as_py(), json.loads(labels[0].as_py()))


def register_text_cast_functions(ctx: SessionContext) -> None:
    """One text function per kind, named by :data:`TEXT_FUNCTIONS`."""
    from datafusion import udf

    for kind, arrow_type in _ARGUMENT_TYPES.items():
        ctx.register_udf(udf(text_array, [arrow_type], pa.string(), "immutable", name=TEXT_FUNCTIONS[kind]))
    ctx.register_udf(udf(plain_text, [_NUMERIC], pa.string(), "immutable", name=TEXT_FUNCTIONS["numeric"]))
    for kind, arrow_type, single in (("float8", pa.float64(), False), ("float4", pa.float32(), True)):
        text = strict_rows(lambda v, single=single: special_float_text(v) or float_text(v, single), pa.string())
        ctx.register_udf(udf(text, [arrow_type], pa.string(), "immutable", name=TEXT_FUNCTIONS[kind]))
    interval = pa.month_day_nano_interval()
    text = strict_rows(_interval_text, pa.string())
    ctx.register_udf(udf(text, [interval], pa.string(), "immutable", name=TEXT_FUNCTIONS["interval"]))
    ctx.register_udf(udf(canonical_uuids, [pa.string()], pa.string(), "immutable", name="uuid_in"))  # ::uuid
    ctx.register_udf(udf(_enum_input, [pa.string()] * 3, pa.string(), "immutable", name=ENUM_INPUT))  # ::mood
    arrays = strict_rows(array_text, pa.string())
    ctx.register_udf(udf(arrays, [pa.string(), pa.string()], pa.string(), "immutable", name=ARRAY_TEXT))
