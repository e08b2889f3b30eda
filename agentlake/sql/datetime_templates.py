"""PostgreSQL's ``to_char`` of a timestamp, date or interval: its template patterns.

Template patterns are matched longest first, case-sensitively as PostgreSQL's table lists them
(``Month``, ``MONTH`` and ``month`` differ; ``mm`` is ``MM``). ``FM`` before a pattern drops its
padding (zeros of numbers, blanks after names), ``TH``/``th`` after a number add its ordinal
suffix, ``"..."`` is literal text (``\\"`` a quote), a backslash makes the next character literal,
and anything else is copied. A pattern this module does not print (``RM``, ``SP``, the
``to_date``-only ones) is 0A000, never silently wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import NotSupportedError

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]  # fmt: skip
_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
_NAMES = ("Month", "Mon", "Day", "Dy")
_NUMBERED = (
    "Y,YYY YYYY YYY YY Y IYYY IYY IY I CC Q MM WW W IW DDD DD D ID IDDD J HH24 HH12 HH MI SSSSS SSSS SS MS US "
    "FF1 FF2 FF3 FF4 FF5 FF6 AM PM A.M. P.M. AD BC A.D. B.C. TZH TZM TZ OF FX RM"
).split()  # each also in lower case; the names in three cases
_PATTERNS = sorted(
    {*_NUMBERED, *(p.lower() for p in _NUMBERED), *(v for n in _NAMES for v in (n, n.upper(), n.lower()))},
    key=len,
    reverse=True,
)
_PATTERN = re.compile("|".join(re.escape(p) for p in _PATTERNS))
_UNSUPPORTED = {"RM", "rm"}


@dataclass(frozen=True)
class Moment:
    """What a template reads: a wall-clock time (a date is its midnight), and whether it is a
    timestamptz (whose ``TZ`` is the session's zone, UTC) or an interval's fields."""

    value: dt.datetime
    zoned: bool = False


def _unsupported(what: str) -> NotSupportedError:
    return NotSupportedError(f"[SQLSTATE 0A000] to_char template pattern {what} is not supported", sqlstate="0A000")


def _ordinal(number: int, upper: bool) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return suffix.upper() if upper else suffix


def _numbers(v: dt.datetime) -> dict[str, tuple[int, int]]:
    """Numeric patterns: (value, zero-padded width)."""
    year, week, weekday = v.isocalendar()
    hour12 = v.hour % 12 or 12
    return {
        "YYYY": (v.year, 4), "YYY": (v.year % 1000, 3), "YY": (v.year % 100, 2), "Y": (v.year % 10, 1),
        "IYYY": (year, 4), "IYY": (year % 1000, 3), "IY": (year % 100, 2), "I": (year % 10, 1),
        "CC": ((v.year + 99) // 100, 2), "Q": ((v.month - 1) // 3 + 1, 1), "MM": (v.month, 2),
        "WW": ((v.timetuple().tm_yday - 1) // 7 + 1, 2), "W": ((v.day - 1) // 7 + 1, 1), "IW": (week, 2),
        "DDD": (v.timetuple().tm_yday, 3), "DD": (v.day, 2), "D": (v.isoweekday() % 7 + 1, 1), "ID": (weekday, 1),
        "IDDD": ((week - 1) * 7 + weekday, 3), "J": (v.toordinal() + 1_721_425, 1),
        "HH24": (v.hour, 2), "HH12": (hour12, 2), "HH": (hour12, 2), "MI": (v.minute, 2), "SS": (v.second, 2),
        "SSSS": (v.hour * 3600 + v.minute * 60 + v.second, 1), "SSSSS": (v.hour * 3600 + v.minute * 60 + v.second, 1),
        "MS": (v.microsecond // 1000, 3), "US": (v.microsecond, 6),
        **{f"FF{n}": (v.microsecond // 10 ** (6 - n), n) for n in range(1, 7)},
    }  # fmt: skip


def _word(pattern: str, v: dt.datetime, zoned: bool, fill: bool) -> str:
    """A pattern printed as text, cased as it is written (``MONTH``, ``Month``, ``month``)."""
    key = pattern.upper()
    if key in ("MONTH", "MON", "DAY", "DY"):
        name = _MONTHS[v.month - 1] if key.startswith("MON") else _DAYS[v.isoweekday() % 7]
        text = name[:3] if key in ("MON", "DY") else name.ljust(9) if fill else name
    elif key in ("AM", "PM", "A.M.", "P.M."):
        text = ("PM" if v.hour >= 12 else "AM") if "." not in key else ("P.M." if v.hour >= 12 else "A.M.")
    elif key in ("AD", "BC", "A.D.", "B.C."):
        text = "AD" if "." not in key else "A.D."
    elif key == "Y,YYY":
        text = f"{v.year // 1000},{v.year % 1000:03d}"
    elif key == "TZ":
        text = "UTC" if zoned else ""
    elif key in ("OF", "TZH"):
        text = "+00"
    elif key == "TZM":
        text = "00"
    else:  # FX: a to_date mode, nothing to print
        text = ""
    return text.upper() if pattern.isupper() else text.lower() if pattern.islower() else text


def format_datetime(moment: Moment, template: str) -> str:
    """``to_char(moment, template)``."""
    v = moment.value
    return _format(template, _numbers(v), lambda pattern, fill: _word(pattern, v, moment.zoned, fill))


def format_interval(months: int, days: int, micros: int, template: str) -> str:
    """``to_char(interval, template)``: its fields, the hours not wrapped at 24; the patterns of
    names and calendars are 0A000."""
    sign = -1 if months < 0 else 1
    seconds, fraction = divmod(abs(micros), 1_000_000)
    seconds *= -1 if micros < 0 else 1
    hours = int(seconds / 3600)
    numbers = {
        "YYYY": (sign * (abs(months) // 12), 4), "MM": (sign * (abs(months) % 12), 2), "DD": (days, 2),
        "HH24": (hours, 2), "HH12": (hours % 12 or 12, 2), "HH": (hours % 12 or 12, 2),
        "MI": (int(seconds % 3600 / 60) if seconds >= 0 else -int(-seconds % 3600 / 60), 2),
        "SS": (seconds % 60 if seconds >= 0 else -(-seconds % 60), 2),
        "MS": (fraction // 1000, 3), "US": (fraction, 6),
    }  # fmt: skip

    def word(pattern: str, fill: bool) -> str:
        raise _unsupported(f"{pattern} of an interval")

    return _format(template, numbers, word)


def _format(template: str, numbers: dict[str, tuple[int, int]], word) -> str:
    out: list[str] = []
    at = 0
    while at < len(template):
        fill = True
        if template.startswith(("FM", "fm"), at):
            fill, at = False, at + 2
        match = _PATTERN.match(template, at)
        if match is None:
            at = _literal(template, at, out)
            continue
        pattern, at = match.group(), match.end()
        if pattern in _UNSUPPORTED:
            raise _unsupported(pattern)
        if pattern.upper() in numbers:
            number, width = numbers[pattern.upper()]
            digits = str(abs(number)).zfill(width) if fill else str(abs(number))
            out.append("-" + digits if number < 0 else digits)
            if template.startswith(("TH", "th"), at):
                out.append(_ordinal(number, template[at] == "T"))
                at += 2
        else:
            out.append(word(pattern, fill))
        if template.startswith(("SP", "sp"), at):
            raise _unsupported("suffix SP")
    return "".join(out)


def _literal(template: str, at: int, out: list[str]) -> int:
    """Copy literal text at ``at`` (a character, a backslash escape or a quoted string) to ``out``."""
    char = template[at]
    if char == "\\" and at + 1 < len(template):
        out.append(template[at + 1])
        return at + 2
    if char != '"':
        out.append(char)
        return at + 1
    at += 1
    while at < len(template) and template[at] != '"':
        if template[at] == "\\" and at + 1 < len(template):
            at += 1
        out.append(template[at])
        at += 1
    return at + 1
