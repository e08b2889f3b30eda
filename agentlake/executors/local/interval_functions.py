"""interval * number and interval / number with PostgreSQL's arithmetic (DataFusion multiplies
no intervals at all: ``2 * interval '1 hour'`` fails to plan).

PostgreSQL scales the months, the days and the time of an interval separately, truncating months
and days to whole numbers, and moves the fractions down: a fraction of a month becomes days (30
to the month) and a fraction of a day becomes time (24 hours to the day), never upwards, so
``interval '1 month' * 1.5`` is ``1 mon 15 days`` and ``interval '1 day' * 1.5`` is
``1 day 12:00:00``. The fractions are rounded to microseconds on the way, as PostgreSQL does, so
that ``interval '1 month' * 0.1`` is exactly ``3 days``. A product out of the range of an
interval's fields is 22008, a division by zero 22012.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import DataError
from ...sql.interval_order import SPAN

if TYPE_CHECKING:
    from datafusion import SessionContext

INTERVAL = pa.month_day_nano_interval()
_FIELDS = np.dtype([("months", "<i4"), ("days", "<i4"), ("nanoseconds", "<i8")])
_DAYS_PER_MONTH = 30
_SECONDS_PER_DAY = 86_400
_INT32 = (-(2.0**31), 2.0**31)
_INT64 = (-(2.0**63), 2.0**63)


def _to_microseconds(values: np.ndarray) -> np.ndarray:
    """PostgreSQL rounds its intermediate fractions to whole microseconds (TSROUND)."""
    return np.rint(values * 1e6) / 1e6


def scale(interval: pa.Array, factor: pa.Array, divide: bool = False) -> pa.Array:
    """``interval * factor`` (or ``interval / factor``) row by row; NULL in either gives NULL."""
    interval, factor = _array(interval), _array(factor)
    valid = pc.and_(interval.is_valid(), factor.is_valid())
    data = interval.buffers()[1]
    parts = (
        np.zeros(len(interval), _FIELDS)  # all NULL, with no values stored
        if data is None
        else np.frombuffer(data, _FIELDS, len(interval) + interval.offset)[interval.offset :]
    )
    by = pc.if_else(valid, pc.cast(factor, pa.float64()), 1.0).to_numpy(zero_copy_only=False)
    if divide and (by == 0).any():
        raise DataError("[SQLSTATE 22012] division by zero", sqlstate="22012")
    months, days, micros = parts["months"], parts["days"], parts["nanoseconds"] / 1000
    with np.errstate(all="ignore"):
        months_exact = months / by if divide else months * by
        days_exact = days / by if divide else days * by
        time_exact = micros / by if divide else micros * by
        _check_range(months_exact, _INT32)
        _check_range(days_exact, _INT32)
        whole_months, whole_days = np.trunc(months_exact), np.trunc(days_exact)
        # a month's fraction becomes days, a day's fraction (with the days' fraction) becomes time
        month_days = _to_microseconds((months_exact - whole_months) * _DAYS_PER_MONTH)
        seconds = _to_microseconds((days_exact - whole_days + month_days - np.trunc(month_days)) * _SECONDS_PER_DAY)
        carried = np.where(np.abs(seconds) >= _SECONDS_PER_DAY, np.trunc(seconds / _SECONDS_PER_DAY), 0)
        seconds -= carried * _SECONDS_PER_DAY
        whole_days += carried + np.trunc(month_days)
        total_micros = np.rint(time_exact + seconds * 1e6)
    _check_range(whole_days, _INT32)
    _check_range(total_micros, _INT64)
    out = np.zeros(len(parts), _FIELDS)
    out["months"], out["days"] = whole_months, whole_days
    out["nanoseconds"] = total_micros.astype(np.int64) * 1000
    return _intervals(out, valid)


def _intervals(parts: np.ndarray, valid: pa.Array) -> pa.Array:
    """Intervals from their fields (``_FIELDS``), NULL where ``valid`` is false."""
    validity = None if pc.all(valid).as_py() is not False else valid.buffers()[1]
    return pa.Array.from_buffers(INTERVAL, len(parts), [validity, pa.py_buffer(parts.tobytes())])


def _array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _check_range(values: np.ndarray, bounds: tuple[float, float]) -> None:
    """PostgreSQL's fits-in-int checks: ``low <= value < high``, and no NaN."""
    if (np.isnan(values) | (values < bounds[0]) | (values >= bounds[1])).any():
        raise DataError("[SQLSTATE 22008] interval out of range", sqlstate="22008")


_DAY_NS = _SECONDS_PER_DAY * 10**9


def duration_intervals(durations: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Durations as PostgreSQL's intervals of ``timestamp - timestamp``: whole days, then the time
    (``1 day 03:04:05``, ``-1 days -03:04:05``), never months."""
    nanoseconds = _array(pc.cast(durations, pa.duration("ns")).cast(pa.int64()))
    total = nanoseconds.fill_null(0).to_numpy(zero_copy_only=False)
    days = np.sign(total) * (np.abs(total) // _DAY_NS)  # whole days toward zero, the time keeps the sign
    out = np.zeros(len(total), _FIELDS)
    out["days"], out["nanoseconds"] = days, total - days * _DAY_NS
    return _intervals(out, nanoseconds.is_valid())


SPAN_TYPE = pa.decimal128(38, 0)
"""A span in nanoseconds: months of 30 days and days of 24 hours overflow an int64 past 292 years."""


def spans(intervals: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Each interval's span, the order PostgreSQL compares intervals in (``interval_cmp``)."""
    values = _array(intervals)
    out = [
        None if v is None else (v.months * _DAYS_PER_MONTH + v.days) * _DAY_NS + v.nanoseconds
        for v in values.to_pylist()
    ]
    return pa.array(out, SPAN_TYPE)


def register_interval_functions(ctx: SessionContext) -> None:
    """``interval_mul(interval, float8)`` and ``interval_div(interval, float8)``, what the rewrite
    of ``*`` and ``/`` with an interval operand calls (:mod:`agentlake.sql.rules.interval_arithmetic`),
    ``pg_duration_interval``, what a difference of timestamps becomes
    (:mod:`agentlake.sql.timestamp_differences`), and ``pg_interval_span``, what intervals are
    compared and sorted by (:mod:`agentlake.sql.interval_order`)."""
    from datafusion import udf

    ctx.register_udf(udf(duration_intervals, [pa.duration("ns")], INTERVAL, "immutable", name="pg_duration_interval"))
    ctx.register_udf(udf(spans, [INTERVAL], SPAN_TYPE, "immutable", name=SPAN))

    ctx.register_udf(udf(scale, [INTERVAL, pa.float64()], INTERVAL, "immutable", name="interval_mul"))
    ctx.register_udf(
        udf(lambda i, f: scale(i, f, divide=True), [INTERVAL, pa.float64()], INTERVAL, "immutable", name="interval_div")
    )
