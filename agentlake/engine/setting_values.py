"""How PostgreSQL reads and prints a setting's value: booleans, numbers in a range, memory and
time quantities with units, and fixed choices.

SET and set_config() must refuse what PostgreSQL refuses (with its SQLSTATE 22023 and message)
and SHOW must print what PostgreSQL prints (``SET work_mem = 65536`` shows ``64MB``), because
clients and migration scripts compare the values they read back.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..errors import ProgrammingError

_INVALID = "22023"


def _invalid(name: str, value: str) -> ProgrammingError:
    return ProgrammingError(f'invalid value for parameter "{name}": "{value}"', sqlstate=_INVALID)


@dataclass(frozen=True)
class Boolean:
    """on/off, true/false, yes/no, 1/0 and their unambiguous prefixes, printed as on or off."""

    def canonical(self, name: str, value: str) -> str:
        text = value.strip().lower()
        if text and (
            "true".startswith(text) or "yes".startswith(text) or text == "1" or (len(text) >= 2 and text == "on")
        ):
            return "on"
        if text and (
            "false".startswith(text)
            or "no".startswith(text)
            or text == "0"
            or (len(text) >= 2 and "off".startswith(text))
        ):
            return "off"
        raise ProgrammingError(f'parameter "{name}" requires a Boolean value', sqlstate=_INVALID)


@dataclass(frozen=True)
class Number:
    """An integer or a real in [low, high]; reals print as C's %g, as PostgreSQL prints them."""

    kind: type
    low: float
    high: float

    def canonical(self, name: str, value: str) -> str:
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if math.isnan(number):
            raise _invalid(name, value)
        if self.kind is int:
            number = round(number)
        if not self.low <= number <= self.high:
            shown = (
                (f"{self.low:g}", f"{self.high:g}") if self.kind is float else (str(int(self.low)), str(int(self.high)))
            )
            raise ProgrammingError(
                f'{value.strip()} is outside the valid range for parameter "{name}" ({shown[0]} .. {shown[1]})',
                sqlstate=_INVALID,
            )
        return str(int(number)) if self.kind is int else f"{number:g}"


_MEMORY_UNITS = {"B": 1 / 1024, "kB": 1, "MB": 1024, "GB": 1024**2, "TB": 1024**3}  # in kB
_TIME_UNITS = {"us": 0.001, "ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}  # in ms
_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]*)\s*$")


@dataclass(frozen=True)
class Quantity:
    """An integer in a base unit (kB, 8kB blocks, ms); input may name any unit of its kind and is
    rounded to the base unit; SHOW prints the largest unit that divides it evenly."""

    base: str
    low: int
    high: int

    @property
    def _units(self) -> dict[str, float]:
        return _TIME_UNITS if self.base in _TIME_UNITS else _MEMORY_UNITS

    @property
    def _base_size(self) -> float:
        return 8 if self.base == "8kB" else self._units[self.base]

    def canonical(self, name: str, value: str) -> str:
        match = _QUANTITY.match(value)
        unit = match.group(2) if match else ""
        if match is None or (unit and unit not in self._units):
            raise _invalid(name, value)
        number = float(match.group(1))
        amount = round(number * self._units[unit] / self._base_size) if unit else round(number)
        if not self.low <= amount <= self.high:
            shown = f"{amount} {self.base}" if self.base in ("kB", "ms") else str(amount)
            raise ProgrammingError(
                f'{shown} is outside the valid range for parameter "{name}" ({self.low} .. {self.high})',
                sqlstate=_INVALID,
            )
        return self.show(amount)

    def show(self, amount: int) -> str:
        if amount == 0:
            return "0"
        size = amount * self._base_size
        for unit, factor in sorted(self._units.items(), key=lambda item: -item[1]):
            if factor >= self._units[self.base if self.base != "8kB" else "kB"] and size % factor == 0:
                return f"{int(size // factor)}{unit}"
        return f"{amount}{self.base}"

    def amount(self, shown: str) -> int:
        """The value in the base unit (what the engine acts on: milliseconds for timeouts)."""
        match = _QUANTITY.match(shown)
        unit = match.group(2) if match else ""
        return round(float(match.group(1)) * self._units[unit] / self._base_size) if unit else int(float(shown))


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of words, compared and stored in lower case."""

    allowed: frozenset[str]

    def canonical(self, name: str, value: str) -> str:
        if value.strip().lower() not in self.allowed:
            raise ProgrammingError(
                f'invalid value for parameter "{name}": "{value}"',
                sqlstate=_INVALID,
                hint=f"Available values: {', '.join(sorted(self.allowed))}.",
            )
        return value.strip().lower()


Kind = Boolean | Number | Quantity | Choice
