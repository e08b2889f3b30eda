"""The UDFs behind PostgreSQL's format, quote_ident/literal/nullable, to_char, age,
justify_days/hours/interval, timeofday and parse_ident (what ``sql/rules/text_formatting`` and
``sql/rules/interval_calls`` call, and quote_* by their own names)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Callable

import pyarrow as pa
import pyarrow.compute as pc

from ...errors import Error, ProgrammingError, function_error, tagged
from ...sql import interval_functions
from ...sql.datetime_templates import Moment, format_datetime, format_interval
from ...sql.interval_input import Interval
from ...sql.number_templates import format_number, read_number
from ...sql.pg_format import pg_format
from ...sql.pg_quoting import parse_ident, quote_ident, quote_literal
from ...sql.rules.function_synonyms import PARSE_IDENT
from ...sql.unconstrained_numeric import UNCONSTRAINED
from .strict_rows import strict_rows
from .value_text import is_zoned, output_text, python_value

if TYPE_CHECKING:
    from datafusion import SessionContext

INTERVAL = pa.month_day_nano_interval()
_TEXTS = pa.list_(pa.utf8())


def _format(templates: pa.Array, texts: pa.Array, types: pa.Array) -> pa.Array:
    out = []
    for template, values, kinds in zip(templates.to_pylist(), texts.to_pylist(), types.to_pylist()):
        args = [output_text(v, k) for v, k in zip(values[1:], kinds[1:])]
        out.append(None if template is None else pg_format(template, args))
    return pa.array(out, pa.utf8())


def _to_char_one(text: str, arrow_type: str, template: str) -> str:
    value = python_value(text, arrow_type)
    if isinstance(value, Interval):
        return format_interval(value.months, value.days, value.micros, template)
    if isinstance(value, dt.datetime):
        return format_datetime(Moment(value.replace(tzinfo=None), is_zoned(arrow_type)), template)
    if isinstance(value, dt.date):
        return format_datetime(Moment(dt.datetime.combine(value, dt.time())), template)
    if isinstance(value, str):
        raise ProgrammingError("[SQLSTATE 42725] function to_char(unknown, unknown) is not unique", sqlstate="42725")
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ProgrammingError(
            f"[SQLSTATE 42883] function to_char({arrow_type.lower()}, unknown) does not exist", sqlstate="42883"
        )
    try:
        return format_number(value, template)
    except Error as err:
        raise tagged(err) from None


def _to_char(texts: pa.Array, types: pa.Array, templates: pa.Array) -> pa.Array:
    out = [
        None if text is None or template is None or kind == "Null" else _to_char_one(text, kind, template)
        for text, kind, template in zip(texts.to_pylist(), types.to_pylist(), templates.to_pylist())
    ]
    return pa.array(out, pa.utf8())


def _parts(value) -> tuple[int, int, int]:
    return value.months, value.days, value.nanoseconds // 1000


def _intervals(parts: list[tuple[int, int, int] | None]) -> pa.Array:
    return pa.array([None if p is None else (p[0], p[1], p[2] * 1000) for p in parts], INTERVAL)


def _justify(function: Callable[[int, int, int], tuple[int, int, int]]) -> Callable[[pa.Array], pa.Array]:
    def run(values: pa.Array) -> pa.Array:
        return _intervals([None if v is None else function(*_parts(v)) for v in values.to_pylist()])

    return run


def _micros(values: pa.Array) -> list[dt.datetime | None]:
    return pc.cast(values, pa.timestamp("us"), safe=False).to_pylist()


def _age(later: pa.Array, earlier: pa.Array) -> pa.Array:
    pairs = zip(_micros(later), _micros(earlier))
    return _intervals([None if a is None or b is None else interval_functions.age(a, b) for a, b in pairs])


def _timeofday(rows: pa.Array) -> pa.Array:
    """The clock's time as PostgreSQL's timeofday() writes it: ``Sun Dec 06 08:23:32.123456 2026 UTC``."""
    now = dt.datetime.now(dt.timezone.utc)
    return pa.array([now.strftime("%a %b %d %H:%M:%S.%f %Y UTC")] * len(rows), pa.utf8())


NUMBER = pa.decimal128(38, 10)
"""What to_number answers: an unconstrained numeric (``sql/unconstrained_numeric``)."""


def _to_number(text: str, template: str) -> Decimal:
    try:
        number = read_number(text, template)
    except Error as err:
        raise tagged(err) from None
    if abs(number) >= 10 ** (NUMBER.precision - NUMBER.scale):
        raise function_error("22003", "numeric field overflow")
    return number


def _quoting(quote: Callable[[str], str], null: str | None) -> Callable[[pa.Array], pa.Array]:
    def call(texts: pa.Array) -> pa.Array:
        return pa.array([null if t is None else quote(t) for t in texts.to_pylist()], pa.utf8())

    return call


def register_formatting_functions(ctx: SessionContext) -> None:
    from datafusion import udf

    ctx.register_udf(udf(_format, [pa.utf8(), _TEXTS, _TEXTS], pa.utf8(), "immutable", name="pg_format"))
    for name, quote, null in (
        ("quote_ident", quote_ident, None),
        ("quote_literal", quote_literal, None),
        ("quote_nullable", quote_literal, "NULL"),  # quote_literal but for NULL, which it spells out
    ):
        ctx.register_udf(udf(_quoting(quote, null), [pa.utf8()], pa.utf8(), "immutable", name=name))
    ctx.register_udf(udf(_to_char, [pa.utf8(), pa.utf8(), pa.utf8()], pa.utf8(), "immutable", name="pg_to_char"))
    names = pa.list_(pa.utf8())
    identifiers = strict_rows(parse_ident, names)
    ctx.register_udf(udf(identifiers, [pa.utf8(), pa.bool_()], names, "immutable", name=PARSE_IDENT))
    number = pa.field("to_number", NUMBER, metadata=UNCONSTRAINED)
    ctx.register_udf(udf(strict_rows(_to_number, NUMBER), [pa.utf8(), pa.utf8()], number, "immutable", "to_number"))
    timestamp = pa.timestamp("ns")  # what ::timestamp gives
    ctx.register_udf(udf(_age, [timestamp, timestamp], INTERVAL, "immutable", name="pg_age"))
    justify = {
        "pg_justify_days": interval_functions.justify_days,
        "pg_justify_hours": interval_functions.justify_hours,
        "pg_justify_interval": interval_functions.justify_interval,
    }
    for name, function in justify.items():
        ctx.register_udf(udf(_justify(function), [INTERVAL], INTERVAL, "immutable", name=name))
    ctx.register_udf(udf(_timeofday, [timestamp], pa.utf8(), "volatile", name="pg_timeofday"))
