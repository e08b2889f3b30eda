"""make_date, make_timestamp, make_timestamptz, make_time and make_interval, PostgreSQL's
constructors of dates and times from their fields (DataFusion has only make_date and make_time,
whose errors are not PostgreSQL's), with PostgreSQL's errors: a field out of range is 22008 naming
the value as PostgreSQL prints it, an unknown zone 22023.

``sql/rules/postgres_functions.py`` calls them with every argument given: ``make_interval``'s
defaults (0) and ``make_timestamptz``'s zone (the session's, UTC) filled in."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import pyarrow as pa

from ...errors import function_error
from ...sql.rules.postgres_functions import MAKE_DATE, MAKE_INTERVAL, MAKE_TIMESTAMPTZ
from .strict_rows import strict_rows
from .time_zone_functions import local_to_utc

if TYPE_CHECKING:
    from datafusion import SessionContext

_OFFSET = re.compile(r"([+-])(\d{1,2})(?::?(\d{2}))?")
_UTC = dt.timezone.utc


def _out_of_range(what: str, shown: str) -> Exception:
    return function_error("22008", f"{what} field value out of range: {shown}")


def _seconds_text(seconds: float) -> str:
    """Seconds as PostgreSQL's message prints them: two digits when whole (``00``), else as given."""
    return f"{int(seconds):02d}" if seconds == int(seconds) else f"{seconds:g}"


def make_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _out_of_range("date", f"{year}-{month:02d}-{day:02d}") from None


def _time_of_day(hour: int, minute: int, seconds: float) -> dt.timedelta:
    """The time since midnight; 23:59:60 (a leap second) is the next midnight, as in PostgreSQL."""
    whole = hour * 3600 + minute * 60 + seconds
    leap = (hour, minute, seconds) == (23, 59, 60)
    if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= seconds < 60) and not leap:
        raise _out_of_range("time", f"{hour}:{minute:02d}:{_seconds_text(seconds)}")
    return dt.timedelta(microseconds=round(whole * 1e6))


def make_timestamp(year: int, month: int, day: int, hour: int, minute: int, seconds: float) -> dt.datetime:
    return dt.datetime.combine(make_date(year, month, day), dt.time()) + _time_of_day(hour, minute, seconds)


def make_timestamptz(year: int, month: int, day: int, hour: int, minute: int, seconds: float, zone: str) -> dt.datetime:
    """The wall-clock time in ``zone``: a zone name, or an ISO 8601 offset (``+05`` is five hours
    east of UTC, as PostgreSQL reads a numeric zone here)."""
    local = make_timestamp(year, month, day, hour, minute, seconds)
    offset = _OFFSET.fullmatch(zone.strip())
    if offset:
        sign, hours, minutes = offset.groups()
        delta = dt.timedelta(hours=int(hours), minutes=int(minutes or 0))
        return (local - delta if sign == "+" else local + delta).replace(tzinfo=_UTC)
    try:
        return local_to_utc(local, "UTC" if zone.upper() in ("UTC", "GMT", "Z") else zone)
    except (ValueError, KeyError, OSError):
        raise function_error("22023", f'time zone "{zone}" not recognized') from None


def make_time(hour: int, minute: int, seconds: float) -> dt.time:
    since_midnight = _time_of_day(hour, minute, seconds)
    if since_midnight >= dt.timedelta(days=1):
        raise _out_of_range("time", f"{hour}:{minute:02d}:{_seconds_text(seconds)}")
    return (dt.datetime.min + since_midnight).time()


def make_interval(
    years: int, months: int, weeks: int, days: int, hours: int, minutes: int, seconds: float
) -> pa.MonthDayNano:
    micros = round((hours * 3600 + minutes * 60) * 1_000_000 + seconds * 1_000_000)
    return pa.MonthDayNano([years * 12 + months, weeks * 7 + days, micros * 1000])


def register_date_constructors(ctx: SessionContext) -> None:
    from datafusion import udf

    i8, f8, text = pa.int64(), pa.float64(), pa.utf8()
    moment, zoned = pa.timestamp("us"), pa.timestamp("us", tz="UTC")
    for name, function, inputs, output in (
        (MAKE_DATE, make_date, [i8] * 3, pa.date32()),
        ("make_timestamp", make_timestamp, [i8] * 5 + [f8], moment),
        (MAKE_TIMESTAMPTZ, make_timestamptz, [i8] * 5 + [f8, text], zoned),
        ("make_time", make_time, [i8, i8, f8], pa.time64("us")),
        (MAKE_INTERVAL, make_interval, [i8] * 6 + [f8], pa.month_day_nano_interval()),
    ):
        ctx.register_udf(udf(strict_rows(function, output), inputs, output, "immutable", name))
