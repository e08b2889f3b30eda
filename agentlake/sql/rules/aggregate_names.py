"""Aggregates of one select whose arguments differ only by casts, made distinct for DataFusion.

DataFusion names an aggregate after its arguments with their casts left out, so ``sum(n)`` and
``sum(n::float8)`` are both ``sum(t.n)`` and the plan fails (XX000, a duplicate field name),
though PostgreSQL answers both. In the later of two such aggregates each cast becomes the
``arrow_cast`` of the same type, which its name shows.
"""

from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from ...errors import ProgrammingError
from ..types import arrow_type

_UNITS = {"s": "Second", "ms": "Millisecond", "us": "Microsecond", "ns": "Nanosecond"}


def aggregate_names(tree: exp.Expression) -> exp.Expression:
    for select in tree.find_all(exp.Select):
        aggregates = [a for a in select.find_all(exp.AggFunc) if a.find_ancestor(exp.Select) is select]
        if len(aggregates) < 2:
            continue  # nothing to clash with (most statements): no SQL is written for it
        first_of: dict[str, str] = {}
        for aggregate in aggregates:
            named, written = _without_casts(aggregate).sql(), aggregate.sql()
            if first_of.setdefault(named, written) != written:
                _show_casts(aggregate)
    return tree


def _without_casts(node: exp.Expression) -> exp.Expression:
    return node.transform(lambda n: n.this if isinstance(n, exp.Cast) else n)


def _show_casts(aggregate: exp.Expression) -> None:
    for cast in list(aggregate.find_all(exp.Cast)):
        name = _arrow_cast_name(cast.to)
        if name is not None:
            cast.replace(exp.Anonymous(this="arrow_cast", expressions=[cast.this, exp.Literal.string(name)]))


def _arrow_cast_name(to: exp.DataType) -> str | None:
    """The type as DataFusion's ``arrow_cast`` spells it; None for one it is not spelled here."""
    try:
        arrow, metadata = arrow_type(to)
    except ProgrammingError:
        return None
    if metadata and not pa.types.is_decimal(arrow):
        return None  # a tagged type (jsonb, uuid, a vector): the cast means more than its storage
    if pa.types.is_decimal(arrow):
        return f"Decimal128({arrow.precision}, {arrow.scale})"
    if pa.types.is_timestamp(arrow):
        zone = f'Some("{arrow.tz}")' if arrow.tz else "None"
        return f"Timestamp({_UNITS[arrow.unit]}, {zone})"
    simple = {
        pa.int16(): "Int16",
        pa.int32(): "Int32",
        pa.int64(): "Int64",
        pa.float32(): "Float32",
        pa.float64(): "Float64",
        pa.bool_(): "Boolean",
        pa.string(): "Utf8",
        pa.binary(): "Binary",
        pa.date32(): "Date32",
    }
    return simple.get(arrow)
