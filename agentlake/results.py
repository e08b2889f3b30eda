"""Statement results and their conversion to Python values."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


class RowStream(Protocol):
    """Rows a query is still producing, read a batch at a time, so a result larger than memory is
    never held whole (ARCHITECTURE.md, *Streamed results*)."""

    command: str
    """The command tag's word (SELECT, FETCH); the row count follows it once the stream has ended."""

    @property
    def schema(self) -> pa.Schema: ...

    def next_batch(self) -> pa.Table | None:
        """The next rows, typed as a whole result is; None once there are no more. An error of the
        query's later rows is raised here, as PostgreSQL reports it after the rows already sent."""

    def resume(self) -> None:
        """A new run over the rest of the rows (a suspended portal executed again): a cancel request
        sent while nothing ran is dropped and statement_timeout counts from now, as in PostgreSQL."""


@dataclass
class Result:
    """What one statement produced: rows (Arrow) or none, a row count and PostgreSQL's command tag.

    A query whose rows are too many to hold has ``stream`` instead of ``table``; its row count
    (-1) and tag (None) are known only once the stream is read to its end."""

    table: pa.Table | None
    rowcount: int
    status: str | None
    plan: str | None = None
    constant: bool = False  # the rows depend only on the statement's text (``SELECT 1``)
    stream: RowStream | None = None


NUMERIC_KEY = b"agentlake.numeric"
"""Field metadata key marking a ``numeric`` column declared without precision and scale (value
``unconstrained``; see ``sql/unconstrained_numeric.py``); not ``agentlake.type``, whose tags change
how a column is read and written."""


ELEMENT_KEY = b"agentlake.element"
"""Field metadata key of an array column whose elements are tagged strings (``uuid[]``, ``jsonb[]``):
the elements' ``agentlake.type`` tag, so the column reads and travels as an array of that type."""


def is_unconstrained_numeric(field: pa.Field) -> bool:
    """Whether ``field`` is a ``numeric`` column declared without precision and scale."""
    return pa.types.is_decimal(field.type) and (field.metadata or {}).get(NUMERIC_KEY) == b"unconstrained"


def is_unconstrained_numeric_array(field: pa.Field) -> bool:
    """Whether ``field`` is a ``numeric[]`` column declared without precision and scale."""
    return (
        pa.types.is_list(field.type)
        and pa.types.is_decimal(field.type.value_type)
        and (field.metadata or {}).get(NUMERIC_KEY) == b"unconstrained"
    )


def plain_decimal(value: Decimal) -> Decimal:
    """``value`` without trailing fractional zeros (``1.5000000000`` -> ``1.5``, ``10.00`` -> ``10``),
    as PostgreSQL prints an unconstrained numeric stored at a fixed scale."""
    if not value.is_finite() or value.as_tuple().exponent >= 0:
        return value
    return Decimal(format(value, "f").rstrip("0").rstrip("."))  # exact, where normalize() rounds to 28 digits


def elementwise(convert: Callable[[Any], Any]) -> Callable[[list | None], list | None]:
    """``convert`` applied to each non-NULL element of a list value (NULL stays NULL)."""
    return lambda v: None if v is None else [None if e is None else convert(e) for e in v]


def _converter(field: pa.Field):
    if is_unconstrained_numeric(field):
        return lambda v: None if v is None else plain_decimal(v)
    if is_unconstrained_numeric_array(field):
        return elementwise(plain_decimal)
    element = (field.metadata or {}).get(ELEMENT_KEY)
    if element is not None:
        convert = _converter(pa.field("item", field.type.value_type, metadata={b"agentlake.type": element}))
        return None if convert is None else elementwise(convert)
    kind = (field.metadata or {}).get(b"agentlake.type")
    if kind == b"vector":
        return lambda v: None if v is None else np.asarray(v, dtype=np.float32)
    if kind in (b"json", b"jsonb"):  # as psycopg decodes both
        return lambda v: None if v is None else json.loads(v)
    if kind == b"uuid":  # text underneath, uuid.UUID as psycopg reads it
        return lambda v: None if v is None else uuid.UUID(v)
    if pa.types.is_interval(field.type):
        return lambda v: None if v is None else interval_timedelta(v.months, v.days, v.nanoseconds)
    return None


def interval_timedelta(months: int, days: int, nanoseconds: int) -> dt.timedelta:
    """An interval as psycopg reads one: a year counts 365 days and a month 30 (a timedelta has no
    months); PostgreSQL keeps microseconds."""
    years, rest = divmod(abs(months), 12)
    calendar_days = (years * 365 + rest * 30) * (-1 if months < 0 else 1)
    return dt.timedelta(days=days + calendar_days, microseconds=round(nanoseconds / 1000))


def _microseconds(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Nanosecond times as PostgreSQL's microseconds, so they read as datetime, time and timedelta
    (pyarrow gives pandas objects for nanosecond timestamps and durations)."""
    t = column.type
    for is_kind, make in (
        (pa.types.is_timestamp, lambda: pa.timestamp("us", t.tz)),
        (pa.types.is_duration, lambda: pa.duration("us")),
        (pa.types.is_time64, lambda: pa.time64("us")),
    ):
        if is_kind(t) and t.unit == "ns":
            return pc.cast(column, make(), safe=False)
    return column


def python_rows(table: pa.Table) -> list[tuple]:
    """Rows as tuples, with the Python types psycopg gives: vectors become numpy arrays, JSON Python
    objects, uuids ``uuid.UUID``, intervals ``datetime.timedelta``, dates and times ``datetime``
    objects (aware for timestamptz)."""
    columns = []
    for index, field in enumerate(table.schema):
        values = _microseconds(table.column(index)).to_pylist()
        convert = _converter(field)
        columns.append([convert(v) for v in values] if convert else values)
    return list(zip(*columns)) if columns else [() for _ in range(table.num_rows)]
