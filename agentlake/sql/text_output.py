"""Values as PostgreSQL's output functions print them, where Arrow prints them otherwise.

Arrow writes a timestamp as ``2024-01-02 03:04:05.000000000`` and a boolean as ``True`` in Python;
PostgreSQL writes ``2024-01-02 03:04:05``, fractions without trailing zeros (``03:04:05.5``), a
timestamptz with its UTC offset (``+00``, the session's time zone being UTC) and ``true``. A value
stored into a text column is stored as PostgreSQL would print it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa


def _clock(moment: dt.datetime | dt.time) -> str:
    text = f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    return text + f".{moment.microsecond:06d}".rstrip("0") if moment.microsecond else text


def _offset(offset: dt.timedelta) -> str:
    """A UTC offset as PostgreSQL prints it: ``+00``, ``-08``, ``+05:30``, ``+00:19:32``."""
    total = int(offset.total_seconds())
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{'-' if total < 0 else '+'}{hours:02d}"
    if minutes or seconds:
        text += f":{minutes:02d}"
    return text + f":{seconds:02d}" if seconds else text


def pg_text(value: Any) -> str:
    """One value's text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        text = f"{value.date().isoformat()} {_clock(value)}"
        return text if value.tzinfo is None else text + _offset(value.utcoffset() or dt.timedelta(0))
    if isinstance(value, dt.time):
        return _clock(value)
    return str(value)


def float_text(value: float, single: bool = False) -> str:
    """float8out's (``single``: float4out's) shortest round-trip text, exponential below 1e-4 and
    from 1e15 (float4: 1e6) on, written as ``1e+20`` / ``1e-05``."""
    number = np.float32(value) if single else np.float64(value)
    mantissa, _, exponent = np.format_float_scientific(number, unique=True, trim="-").partition("e")
    power = int(exponent)
    if -4 <= power < (6 if single else 15):
        return np.format_float_positional(number, unique=True, trim="-")
    return f"{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"


def special_float_text(value: float) -> str | None:
    """``NaN``, ``Infinity`` or ``-Infinity`` as float8out writes them; None for a finite number."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return None


def interval_text(months: int, days: int, micros: int) -> str:
    """PostgreSQL's ``IntervalStyle = postgres`` output: ``1 year 2 mons -3 days +04:05:06``, a
    field after a negative one carrying its ``+``, and the plural for every count but 1."""
    sign = -1 if months < 0 else 1
    years, months = sign * (abs(months) // 12), sign * (abs(months) % 12)
    parts, after_negative = [], False
    for value, unit in ((years, "year"), (months, "mon"), (days, "day")):
        if value:
            parts.append(f"{'+' if after_negative and value > 0 else ''}{value} {unit}{'' if value == 1 else 's'}")
            after_negative = value < 0
    if micros or not parts:
        secs, frac = divmod(abs(micros), 1_000_000)
        h, rem = divmod(secs, 3600)
        m, s = divmod(rem, 60)
        clock = f"{'-' if micros < 0 else '+' if after_negative else ''}{h:02d}:{m:02d}:{s:02d}"
        if frac:
            clock += f".{frac:06d}".rstrip("0")
        parts.append(clock)
    return " ".join(parts)


def text_array(array: pa.Array | pa.ChunkedArray) -> pa.Array | None:
    """A boolean, date, time or timestamp column as text; None for other types (Arrow's cast prints
    them as PostgreSQL does)."""
    t = array.type
    if not (pa.types.is_boolean(t) or pa.types.is_temporal(t)) or pa.types.is_duration(t) or pa.types.is_interval(t):
        return None
    return pa.array([None if v is None else pg_text(v) for v in array.to_pylist()], pa.string())
