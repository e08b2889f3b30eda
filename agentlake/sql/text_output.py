"""Values as PostgreSQL's output functions print them, where Arrow prints them otherwise.

Arrow writes a timestamp as ``2024-01-02 03:04:05.000000000`` and a boolean as ``True`` in Python;
PostgreSQL writes ``2024-01-02 03:04:05``, fractions without trailing zeros (``03:04:05.5``), a
timestamptz with its UTC offset (``+00``, the session's time zone being UTC) and ``true``. A value
stored into a text column is stored as PostgreSQL would print it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa


def _clock(moment: dt.datetime | dt.time) -> str:
    text = f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    return text + f".{moment.microsecond:06d}".rstrip("0") if moment.microsecond else text


def pg_text(value: Any) -> str:
    """One value's text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        text = f"{value.date().isoformat()} {_clock(value)}"
        if value.tzinfo is None:
            return text
        offset = value.utcoffset() or dt.timedelta(0)
        sign, minutes = ("-" if offset < dt.timedelta(0) else "+"), abs(int(offset.total_seconds())) // 60
        return text + f"{sign}{minutes // 60:02d}" + (f":{minutes % 60:02d}" if minutes % 60 else "")
    if isinstance(value, dt.time):
        return _clock(value)
    return str(value)


def text_array(array: pa.Array | pa.ChunkedArray) -> pa.Array | None:
    """A boolean, date, time or timestamp column as text; None for other types (Arrow's cast prints
    them as PostgreSQL does)."""
    t = array.type
    if not (pa.types.is_boolean(t) or pa.types.is_temporal(t)) or pa.types.is_duration(t) or pa.types.is_interval(t):
        return None
    return pa.array([None if v is None else pg_text(v) for v in array.to_pylist()], pa.string())
