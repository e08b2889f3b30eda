"""Which values PostgreSQL stores into a column of another type: its assignment casts.

Arrow converts more than PostgreSQL does: a date into an integer column becomes its day number, a
boolean becomes 0 or 1. Between the built-in kinds, PostgreSQL's assignment context converts
numbers among themselves, dates and timestamps among themselves (and a timestamp to a time), and
anything into a text column (by the value's output function); every other pair is 42804,
``column "id" is of type integer but expression is of type date``. Text written to another type
is not judged here: like a quoted literal, it goes through the column type's input function.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pyarrow as pa

from ..errors import ProgrammingError
from ..pgcatalog.types import display_name, oid_for_field
from ..sql.enum_types import enum_of
from ..sql.types import TYPE_KEY, sql_type_name


def _kind(t: pa.DataType) -> str | None:
    """The kind a plain Arrow type stores; None for the rest (vectors, JSON, arrays), not judged."""
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "number"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_time(t):
        return "time"
    if pa.types.is_duration(t) or pa.types.is_interval(t):
        return "interval"
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return "bytea"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "text"
    return None


_ASSIGNABLE = {
    ("number", "number"),
    ("date", "timestamp"),
    ("timestamp", "date"),
    ("timestamp", "time"),
}
_VALUE_TYPES: tuple[tuple[type | tuple[type, ...], str, str], ...] = (
    ((bool, np.bool_), "boolean", "boolean"),
    ((int, np.integer), "number", "integer"),
    ((float, np.floating), "number", "double precision"),
    (Decimal, "number", "numeric"),
    (dt.datetime, "timestamp", "timestamp without time zone"),
    (dt.date, "date", "date"),
    (dt.time, "time", "time without time zone"),
    (dt.timedelta, "interval", "interval"),
    ((bytes, bytearray, memoryview), "bytea", "bytea"),
)


def _refused(source: str | None, field: pa.Field) -> bool:
    if enum_of(field) is not None:  # an enum type takes text (its labels) only
        return source not in (None, "text")
    if (field.metadata or {}).get(TYPE_KEY):  # json, uuid, vector...: their own conversions decide
        return False
    target = _kind(field.type)
    if source is None or target is None or "text" in (source, target) or source == target:
        return False
    return (source, target) not in _ASSIGNABLE


def _error(field: pa.Field, source: str) -> ProgrammingError:
    target = display_name(oid_for_field(field)) or sql_type_name(field)
    return ProgrammingError(
        f'column "{field.name}" is of type {target} but expression is of type {source}', sqlstate="42804"
    )


def check_array(array: pa.Array | pa.ChunkedArray, field: pa.Field) -> None:
    """42804 unless PostgreSQL would store ``array``'s values (a computed column) into ``field``."""
    if array.null_count == len(array) and len(array):
        return  # NULLs of any type are stored as NULL
    if _refused(_kind(array.type), field):
        source = display_name(oid_for_field(pa.field("x", array.type))) or str(array.type)
        raise _error(field, source)


def check_values(values: list, field: pa.Field) -> None:
    """42804 unless PostgreSQL would store each Python value (a constant or a bound parameter) into
    ``field``; strings are input text, judged by the column's input function."""
    for value in values:
        if value is None or isinstance(value, str):
            continue
        for python_type, kind, name in _VALUE_TYPES:
            if isinstance(value, python_type):
                if _refused(kind, field):
                    raise _error(field, name)
                break
