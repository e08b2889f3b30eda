"""A SQL value handed to a text-producing function as its DataFusion text and ``arrow_typeof``
name (how a Python UDF takes an argument of any type; see ``sql/rules/text_formatting``), read
back into a Python value or printed as PostgreSQL's output function prints it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from ...errors import NotSupportedError
from ...sql.interval_input import Interval, parse_interval
from ...sql.text_output import float_text, interval_text, pg_text, special_float_text

_FRACTION = re.compile(r"(\.\d{6})\d+")


def is_zoned(arrow_type: str) -> bool:
    """A timestamp with a time zone (timestamptz), as opposed to a plain timestamp."""
    return arrow_type.startswith("Timestamp(") and '"' in arrow_type


def python_value(text: str, arrow_type: str) -> Any:
    """The value itself: datetime, date, time, Interval, bool, int, Decimal, float or str."""
    if arrow_type.startswith("Timestamp("):
        value = dt.datetime.fromisoformat(_FRACTION.sub(r"\1", text))
        return value.astimezone(dt.timezone.utc) if value.tzinfo else value
    if arrow_type.startswith("Date"):
        return dt.date.fromisoformat(text)
    if arrow_type.startswith("Time"):
        return dt.time.fromisoformat(_FRACTION.sub(r"\1", text))
    if arrow_type.startswith("Interval") or arrow_type.startswith("Duration"):
        return parse_interval(text)
    if arrow_type == "Boolean":
        return text.lower() == "true"
    if arrow_type.startswith(("Int", "UInt")):
        return int(text)
    if arrow_type.startswith("Decimal"):
        return Decimal(text)
    if arrow_type.startswith("Float"):
        return float(text)
    if arrow_type.startswith(("List", "LargeList", "FixedSizeList", "Struct", "Map")):
        raise NotSupportedError(
            f"[SQLSTATE 0A000] a {arrow_type.split('(')[0]} argument is not supported here: cast it to text first",
            sqlstate="0A000",
        )
    return text


def output_text(text: str | None, arrow_type: str) -> str | None:
    """The value as PostgreSQL prints it (``t``/``f`` booleans, ``1e+15`` floats, ``1 day 02:00:00``
    intervals, timestamps without trailing zeros); None for NULL."""
    if text is None or arrow_type == "Null":
        return None
    value = python_value(text, arrow_type)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, float):
        return special_float_text(value) or float_text(value, arrow_type in ("Float32", "Float16"))
    if isinstance(value, Interval):
        return interval_text(value.months, value.days, value.micros)
    if isinstance(value, (dt.datetime, dt.time)):
        return pg_text(value)
    return text
