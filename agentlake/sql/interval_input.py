"""PostgreSQL's interval input, read into (months, days, microseconds).

DataFusion reads only ``N unit`` lists, and sqlglot keeps the first ``N unit`` of a longer string:
``interval '29 days 23:59:59.999999'`` became 29 days and ``interval '1 hour ago'`` one hour,
silently. This reads what PostgreSQL's default (``postgres``) interval style accepts: unit lists
with fractions and per-field signs, ``[-]h:mm[:ss[.f]]`` time fields, a bare trailing number as
seconds (or days before a time field), SQL-standard ``Y-M``, ``@`` and ``ago``, and ISO 8601
designators (``P1Y2M3DT4H5M6S``). Fractions move down as PostgreSQL moves them: a year's to whole
months, a month's to 30-day days, a day's to time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import DataError

_UNITS = {
    **dict.fromkeys(("microsecond", "microseconds", "us", "usec", "usecs", "useconds"), ("micro", 1)),
    **dict.fromkeys(("millisecond", "milliseconds", "ms", "msec", "msecs", "mseconds"), ("micro", 1000)),
    **dict.fromkeys(("second", "seconds", "s", "sec", "secs"), ("micro", 1_000_000)),
    **dict.fromkeys(("minute", "minutes", "m", "min", "mins"), ("micro", 60_000_000)),
    **dict.fromkeys(("hour", "hours", "h", "hr", "hrs"), ("micro", 3_600_000_000)),
    **dict.fromkeys(("day", "days", "d"), ("day", 1)),
    **dict.fromkeys(("week", "weeks", "w"), ("day", 7)),
    **dict.fromkeys(("month", "months", "mon", "mons"), ("month", 1)),
    **dict.fromkeys(("year", "years", "y", "yr", "yrs"), ("month", 12)),
    **dict.fromkeys(("decade", "decades", "dec", "decs"), ("month", 120)),
    **dict.fromkeys(("century", "centuries", "c", "cent"), ("month", 1200)),
    **dict.fromkeys(("millennium", "millennia", "mil", "mils"), ("month", 12000)),
}
_TOKEN = re.compile(
    r"\s*(?:(?P<time>[+-]?\d+:\d+(?::\d+(?:\.\d*)?)?)"
    r"|(?P<yearmonth>[+-]?\d+-\d+)"
    r"|(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?P<unit>[a-z]+)?"
    r"|(?P<word>[a-z]+))",
)
_ISO = re.compile(
    r"p(?:(?P<y>[+-]?[\d.]+)y)?(?:(?P<mo>[+-]?[\d.]+)m)?(?:(?P<w>[+-]?[\d.]+)w)?(?:(?P<d>[+-]?[\d.]+)d)?"
    r"(?:t(?:(?P<h>[+-]?[\d.]+)h)?(?:(?P<mi>[+-]?[\d.]+)m)?(?:(?P<s>[+-]?[\d.]+)s)?)?"
)


@dataclass
class Interval:
    months: int = 0
    days: int = 0
    micros: int = 0

    def add(self, amount: float, kind: str, scale: int) -> None:
        """``amount`` of a unit worth ``scale`` months, days or microseconds; fractions move down."""
        if kind == "month":
            whole = amount * scale
            if scale >= 12:  # years and longer: the fraction becomes whole months
                self.months += round(whole)
                return
            self.months += int(whole)
            self.add((whole - int(whole)) * 30, "day", 1)
        elif kind == "day":
            whole = amount * scale
            self.days += int(whole)
            self.micros += round((whole - int(whole)) * 86_400_000_000)
        else:
            self.micros += round(amount * scale)

    def negated(self) -> Interval:
        return Interval(-self.months, -self.days, -self.micros)

    def datafusion_text(self) -> str:
        """The canonical spelling DataFusion reads back exactly."""
        return f"{self.months} months {self.days} days {self.micros} microseconds"


def parse_interval(text: str) -> Interval:
    """PostgreSQL's reading of an interval literal; 22007 for what it refuses."""
    source = text.strip().lower()
    if source.startswith("p"):
        return _iso(source, text)
    value, ago = Interval(), False
    source = source.removeprefix("@").strip()
    position, pending = 0, None  # pending: a bare number, seconds unless a time field follows
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None or match.end() == position:
            raise _invalid(text)
        position = match.end()
        if match["time"]:
            if pending is not None:
                value.add(pending, "day", 1)
                pending = None
            value.micros += _time_field(match["time"])
        elif match["yearmonth"]:
            years, months = match["yearmonth"].lstrip("+-").split("-")
            sign = -1 if match["yearmonth"].startswith("-") else 1
            value.months += sign * (int(years) * 12 + int(months))
        elif match["number"] is not None:
            if pending is not None:
                raise _invalid(text)
            amount = float(match["number"])
            if match["unit"] is None:
                pending = amount
            elif match["unit"] in _UNITS:
                kind, scale = _UNITS[match["unit"]]
                value.add(amount, kind, scale)
            else:
                raise _invalid(text)
        elif match["word"] == "ago" and position >= len(source.rstrip()):
            ago = True
        else:
            raise _invalid(text)
    if pending is not None:
        value.add(pending, "micro", 1_000_000)
    return value.negated() if ago else value


def _time_field(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = text.lstrip("+-").split(":")
    hours, minutes = int(parts[0]), int(parts[1])
    seconds = float(parts[2]) if len(parts) > 2 else 0.0
    return sign * (hours * 3_600_000_000 + minutes * 60_000_000 + round(seconds * 1_000_000))


def _iso(source: str, text: str) -> Interval:
    match = _ISO.fullmatch(source)
    if match is None or source in ("p", "pt") or source.endswith("t"):
        raise _invalid(text)
    value = Interval()
    for group, kind, scale in (
        ("y", "month", 12),
        ("mo", "month", 1),
        ("w", "day", 7),
        ("d", "day", 1),
        ("h", *_UNITS["hour"]),
        ("mi", *_UNITS["minute"]),
        ("s", *_UNITS["second"]),
    ):
        if match[group] is not None:
            try:
                value.add(float(match[group]), kind, scale)
            except ValueError:
                raise _invalid(text) from None
    return value


def _invalid(text: str) -> DataError:
    return DataError(f'invalid input syntax for type interval: "{text}"', sqlstate="22007")
