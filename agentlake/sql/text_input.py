"""Text written to boolean, date, time, timestamp and number columns, read as PostgreSQL's input
functions do.

Arrow's casts read ISO 8601 and ``true``/``false``; PostgreSQL reads more, and agents and their
frameworks send it: ``'yes'``, ``'on'`` and ``' TRUE '`` for booleans (boolin), ``'03:04'`` for a
time (Arrow cannot cast text to a time at all), ``'2024-1-2'``, ``'Jan 2, 2024'``,
``'2024-01-02 03:04:05 PM'`` and the special words ``epoch``, ``now``, ``today``, ``tomorrow`` and
``yesterday`` for dates and timestamps. A value Arrow's cast reads is read by it (the fast, common
case); the rest are read here one by one, and a value neither reads is 22P02 for a boolean and
22007 for a date or time, with PostgreSQL's message. ``now`` and the days are taken at the time of
the statement in UTC (PostgreSQL takes the transaction's start in the session's time zone).
Numbers may have blanks around them (``' 13 '``), integers underscores between digits and a
``0x``, ``0o`` or ``0b`` prefix, and a numeric more digits after the point than its scale keeps
(rounded half away from zero); text that is no number is 22P02 with PostgreSQL's message.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Callable

import pyarrow as pa
import pyarrow.compute as pc
from dateutil import parser as date_parser

from ..errors import DataError, NotSupportedError

_BOOLEAN_WORDS = (
    (True, "true", 1),
    (False, "false", 1),
    (True, "yes", 1),
    (False, "no", 1),
    (True, "on", 2),
    (False, "off", 2),
    (True, "1", 1),
    (False, "0", 1),
)
"""(value, word, shortest prefix accepted)."""
MOVING_WORDS = frozenset({"now", "today", "tomorrow", "yesterday"})
"""Special inputs whose value depends on when they are read."""
_DATE_LIKE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|[a-z]{3,9}\.? +\d{1,2}|\d{1,2} +[a-z]{3,9}", re.IGNORECASE)
"""What a date spelled other than in ISO 8601 looks like (dateutil alone would read ``'5'`` as the
5th of this month)."""


def read_text(array: pa.Array | pa.ChunkedArray, field: pa.Field) -> pa.Array | None:
    """``array`` (text) as ``field``'s boolean, date, time or timestamp values; None for other
    types (the caller casts those)."""
    target = field.type
    read: Callable[[str], object]
    if pa.types.is_boolean(target):
        read = _boolean
    elif pa.types.is_time(target):
        read = _time
    elif pa.types.is_date(target):
        read = _date
    elif pa.types.is_timestamp(target):
        read = _timestamp if target.tz is None else _timestamptz
    else:
        return None
    if not pa.types.is_time(target):
        try:
            return pc.cast(array, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    return pa.array([None if v is None else read(v) for v in array.to_pylist()], target)


_INTEGER = re.compile(
    r"[+-]?(?:\d+(?:_\d+)*|0[xX][0-9a-fA-F]+(?:_[0-9a-fA-F]+)*|0[oO][0-7]+(?:_[0-7]+)*|0[bB][01]+(?:_[01]+)*)"
)


def read_number_text(array: pa.Array | pa.ChunkedArray, field: pa.Field) -> pa.Array | None:
    """``array`` (text) as numbers for ``field``'s integer, float or numeric type: int64 (its range is
    the caller's to check), float64, or a numeric at the column's scale (its precision the caller's
    to check); None for other types. Arrow's cast reads the common case; the rest are read here."""
    target = field.type
    if not (pa.types.is_integer(target) or pa.types.is_floating(target) or pa.types.is_decimal(target)):
        return None
    with_room = pa.int64() if pa.types.is_integer(target) else target
    try:
        return pc.cast(array, with_room)  # integers at 64 bits: one too big for the column is 22003
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    values = [None if v is None else v.strip() for v in array.to_pylist()]
    if pa.types.is_integer(target):
        return pa.array([None if v is None else _integer(v, field) for v in values], pa.int64())
    if pa.types.is_floating(target):
        return pa.array([None if v is None else _float(v, field) for v in values], pa.float64())
    step = Decimal(1).scaleb(-target.scale)
    wide = pa.decimal128(38, target.scale)
    return pa.array([None if v is None else _numeric(v).quantize(step, ROUND_HALF_UP) for v in values], wide)


_TYPE_NAMES = {8: "smallint", 16: "smallint", 32: "integer", 64: "bigint"}


_BASES = {"x": 16, "o": 8, "b": 2}


def _integer(text: str, field: pa.Field) -> int:
    if not _INTEGER.fullmatch(text):
        raise _syntax(_TYPE_NAMES[field.type.bit_width], text, "22P02")
    sign, digits = (-1, text[1:]) if text[0] == "-" else (1, text.lstrip("+"))
    base = _BASES.get(digits[1:2].lower(), 10) if digits[:1] == "0" else 10
    value = sign * int((digits[2:] if base != 10 else digits).replace("_", ""), base)
    if not -(2**63) <= value < 2**63:
        raise DataError(f'value "{text}" is out of range for type bigint', sqlstate="22003")
    return value


def _float(text: str, field: pa.Field) -> float:
    kind = "real" if field.type.bit_width == 32 else "double precision"
    if "_" in text:  # Python reads 1_0 as 10; float8in does not
        raise _syntax(kind, text, "22P02")
    try:
        return float(text)
    except ValueError:
        raise _syntax(kind, text, "22P02") from None


def _numeric(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _syntax("numeric", text, "22P02") from None
    if not value.is_finite():  # Decimal reads Infinity; numeric columns here hold finite values only
        raise _syntax("numeric", text, "22P02")
    return value


def _syntax(kind: str, text: str, sqlstate: str) -> DataError:
    return DataError(f'invalid input syntax for type {kind}: "{text}"', sqlstate=sqlstate)


def _boolean(text: str) -> bool:
    """boolin: a prefix of true, false, yes or no, of on or off at least two letters long, or 1 or 0."""
    word = text.strip().lower()
    for value, full, shortest in _BOOLEAN_WORDS:
        if len(word) >= shortest and full.startswith(word):
            return value
    raise _syntax("boolean", text, "22P02")


def _special(word: str) -> dt.datetime | None:
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    days = {"epoch": dt.datetime(1970, 1, 1), "now": now, "today": midnight}
    days["tomorrow"], days["yesterday"] = midnight + dt.timedelta(days=1), midnight - dt.timedelta(days=1)
    if word in ("infinity", "-infinity", "+infinity"):
        raise NotSupportedError(f'"{word}" dates and timestamps are not supported', sqlstate="0A000")
    return days.get(word)


def _out_of_range(err: ValueError, text: str) -> None:
    """22008 for a date or time whose fields are each well formed but out of range (February 29th
    of a common year, hour 25), as PostgreSQL reports it."""
    if "range" in str(err) or "must be in" in str(err):
        raise DataError(f'date/time field value out of range: "{text}"', sqlstate="22008") from None


def _moment(text: str, kind: str) -> dt.datetime:
    word = text.strip().lower()
    special = _special(word)
    if special is not None:
        return special
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError as err:
        _out_of_range(err, text)
    if _DATE_LIKE.search(text):
        try:
            return date_parser.parse(text, dayfirst=False, yearfirst=False)
        except (ValueError, OverflowError):
            pass
    raise _syntax(kind, text, "22007")


def _timestamp(text: str) -> dt.datetime:
    moment = _moment(text, "timestamp")
    return moment.replace(tzinfo=None)  # a zone in the input of a timestamp without time zone is ignored


def _timestamptz(text: str) -> dt.datetime:
    moment = _moment(text, "timestamp with time zone")
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _date(text: str) -> dt.date:
    return _moment(text, "date").date()


def _time(text: str) -> dt.time:
    """time_in: ISO times (``9:00`` too), with AM/PM, ``allballs`` (midnight); a zone in the input
    is ignored."""
    word = text.strip().lower()
    if word == "allballs":
        return dt.time(0)
    if word == "now":
        return _special("now").time()
    try:
        return dt.time.fromisoformat(word.upper()).replace(tzinfo=None)
    except ValueError as err:
        _out_of_range(err, text)
    for pattern in ("%H:%M", "%H:%M:%S", "%H:%M:%S.%f", "%I:%M %p", "%I:%M:%S %p", "%I:%M:%S.%f %p", "%I %p"):
        try:
            return dt.datetime.strptime(word.upper(), pattern).time()
        except ValueError:
            continue
    raise _syntax("time", text, "22007")
