"""PostgreSQL's ``age`` and ``justify_*`` over intervals as (months, days, microseconds), step for
step as PostgreSQL computes them (``timestamp_age``, ``interval_justify_*``): a month is 30 days
and a day 24 hours only where these functions say so."""

from __future__ import annotations

import calendar
import datetime as dt

_DAY = 86_400_000_000
_MONTH_DAYS = 30
Parts = tuple[int, int, int]


def _trunc_div(value: int, by: int) -> int:
    """C's integer division, truncating toward zero."""
    return -(-value // by) if (value < 0) != (by < 0) else value // by


def _carry(big: int, small: int, unit: int, small_sign: int = 0) -> tuple[int, int]:
    """Whole ``unit``s of ``small`` carried into ``big``, then one borrowed back where the two
    disagree in sign (``small_sign`` stands in for a ``small`` of zero: the next field's sign)."""
    whole = _trunc_div(small, unit)
    big, small = big + whole, small - whole * unit
    sign = small or small_sign
    if big > 0 and sign < 0:
        return big - 1, small + unit
    if big < 0 and sign > 0:
        return big + 1, small - unit
    return big, small


def justify_hours(months: int, days: int, micros: int) -> Parts:
    days, micros = _carry(days, micros, _DAY)
    return months, days, micros


def justify_days(months: int, days: int, micros: int) -> Parts:
    months, days = _carry(months, days, _MONTH_DAYS)
    return months, days, micros


def justify_interval(months: int, days: int, micros: int) -> Parts:
    whole = _trunc_div(micros, _DAY)
    days, micros = days + whole, micros - whole * _DAY
    months, days = _carry(months, days, _MONTH_DAYS, small_sign=micros)
    days, micros = _carry(days, micros, _DAY)
    return months, days, micros


def age(later: dt.datetime, earlier: dt.datetime) -> Parts:
    """``age(later, earlier)``: field by field differences, borrowing from the next field up, a
    day borrowed being as long as the month of the earlier time (of ``later`` when it is earlier)."""
    flip = later < earlier
    sign = -1 if flip else 1
    fields = [
        sign * (later.microsecond - earlier.microsecond),
        sign * (later.second - earlier.second),
        sign * (later.minute - earlier.minute),
        sign * (later.hour - earlier.hour),
        sign * (later.day - earlier.day),
        sign * (later.month - earlier.month),
        sign * (later.year - earlier.year),
    ]
    borrow_from = later if flip else earlier
    for index, size in enumerate((1_000_000, 60, 60, 24)):
        while fields[index] < 0:
            fields[index] += size
            fields[index + 1] -= 1
    while fields[4] < 0:
        fields[4] += calendar.monthrange(borrow_from.year, borrow_from.month)[1]
        fields[5] -= 1
    while fields[5] < 0:
        fields[5] += 12
        fields[6] -= 1
    micro, second, minute, hour, day, month, year = (sign * f for f in fields)
    return year * 12 + month, day, ((hour * 60 + minute) * 60 + second) * 1_000_000 + micro
