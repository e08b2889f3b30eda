"""Scalar functions by (lower-case) name, each building a Polars expression from its arguments.

Only functions whose Polars form gives DataFusion's answer are here; any other name
is declined (vector distances and a Context's Python functions included, which run
on pandas Series in the Dask compiler). Arguments that must be constants (a
``date_part`` field, ``round``'s digits) are read from the DataFusion expressions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import polars as pl

from .runtime import declined


@dataclass
class Call:
    """One call: its name, compiled arguments and the DataFusion argument expressions."""

    name: str
    args: list[pl.Expr]
    raw: list[Any]

    def constant(self, index: int) -> Any:
        """The Python value of a literal argument (declined when it is not a literal)."""
        if index >= len(self.raw) or self.raw[index].variant_name() != "Literal":
            raise declined(f"{self.name}() with a non-constant argument {index + 1}")
        return self.raw[index].python_value().as_py()


def _substr(call: Call) -> pl.Expr:
    """SQL positions count from 1, and characters before position 1 use up the length."""
    value, start = call.args[0], call.args[1].cast(pl.Int64)
    offset = pl.max_horizontal(start - 1, pl.lit(0))
    if len(call.args) < 3:
        return value.str.slice(offset)
    stop = pl.max_horizontal(start - 1 + call.args[2].cast(pl.Int64), pl.lit(0))
    return value.str.slice(offset, pl.max_horizontal(stop - offset, pl.lit(0)))


def _trim(side: str) -> Callable[[Call], pl.Expr]:
    def build(call: Call) -> pl.Expr:
        chars = call.args[1] if len(call.args) > 1 else pl.lit(" ")
        method = {"both": "strip_chars", "start": "strip_chars_start", "end": "strip_chars_end"}[side]
        return getattr(call.args[0].str, method)(chars)

    return build


def _date_part(call: Call) -> pl.Expr:
    part, value = str(call.constant(0)).lower(), call.args[1]
    fields = {
        "year": value.dt.year(),
        "month": value.dt.month(),
        "day": value.dt.day(),
        "hour": value.dt.hour(),
        "minute": value.dt.minute(),
        "quarter": value.dt.quarter(),
        "dow": value.dt.weekday() % 7,
        "doy": value.dt.ordinal_day(),
        "week": value.dt.week(),
    }
    if part not in fields:
        raise declined(f"date_part('{part}')")
    return fields[part].cast(pl.Int32)


def _concat(call: Call) -> pl.Expr:
    return pl.concat_str([a.cast(pl.String).fill_null("") for a in call.args])


def _nullif(call: Call) -> pl.Expr:
    a, b = call.args
    return pl.when((a == b).fill_null(False)).then(None).otherwise(a)


def _round(call: Call) -> pl.Expr:
    digits = int(call.constant(1)) if len(call.args) > 1 else 0
    return call.args[0].cast(pl.Float64).round(digits, mode="half_away_from_zero")


def _float(method: str) -> Callable[[Call], pl.Expr]:
    def build(call: Call) -> pl.Expr:
        return getattr(call.args[0].cast(pl.Float64), method)()

    return build


def _one(apply: Callable[[pl.Expr], pl.Expr]) -> Callable[[Call], pl.Expr]:
    return lambda call: apply(call.args[0])


FUNCTIONS: dict[str, Callable[[Call], pl.Expr]] = {
    "substr": _substr,
    "substring": _substr,
    "date_part": _date_part,
    "datepart": _date_part,
    "upper": _one(lambda x: x.str.to_uppercase()),
    "lower": _one(lambda x: x.str.to_lowercase()),
    "trim": _trim("both"),
    "btrim": _trim("both"),
    "ltrim": _trim("start"),
    "rtrim": _trim("end"),
    "length": _one(lambda x: x.str.len_chars()),
    "char_length": _one(lambda x: x.str.len_chars()),
    "character_length": _one(lambda x: x.str.len_chars()),
    "octet_length": _one(lambda x: x.str.len_bytes()),
    "reverse": _one(lambda x: x.str.reverse()),
    "concat": _concat,
    "coalesce": lambda call: pl.coalesce(call.args),
    "nullif": _nullif,
    "round": _round,
    "abs": _one(pl.Expr.abs),
    "floor": _float("floor"),
    "ceil": _float("ceil"),
    "sqrt": _float("sqrt"),
    "ln": _float("log"),
    "log10": _float("log10"),
    "exp": _float("exp"),
    "power": lambda call: call.args[0].cast(pl.Float64).pow(call.args[1]),
    "pow": lambda call: call.args[0].cast(pl.Float64).pow(call.args[1]),
    "starts_with": lambda call: call.args[0].str.starts_with(call.args[1]),
    "replace": lambda call: call.args[0].str.replace_all(call.args[1], call.args[2], literal=True),
    "left": lambda call: call.args[0].str.head(call.args[1]),
    "right": lambda call: call.args[0].str.tail(call.args[1]),
}
