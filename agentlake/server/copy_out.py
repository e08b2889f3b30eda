"""COPY ... TO STDOUT: a table's or a query's rows in PostgreSQL's text, CSV and binary formats.

What ``psql``'s ``\\copy ... to``, psycopg's ``copy.rows()`` / ``read_row()`` and
exports to files use. Each row travels in its own CopyData message, as PostgreSQL
sends them (psycopg parses one row per message); in binary, the file header rides
with the first row and the trailer comes alone.
"""

from __future__ import annotations

import itertools
import re
import struct
from typing import TYPE_CHECKING, Iterable, Iterator

import pyarrow as pa

from . import codec
from . import protocol as pq
from .copy_in import BINARY_SIGNATURE
from .result_messages import column_values, describe_columns
from .statements import copy_option_error

if TYPE_CHECKING:
    from .session import WireSession

SLICE_ROWS = 10_000
_TEXT_ESCAPES = {"\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


async def run(session: "WireSession", query: str, options: dict[str, str]) -> str:
    """Run ``query`` and send its rows as CopyOutResponse, CopyData..., CopyDone; the tag to complete it."""
    from .session import SessionError

    fmt = options.get("format", "text").lower()
    if fmt not in ("text", "csv", "binary"):
        raise SessionError("22023", f'COPY format "{fmt}" not recognized')
    refused = copy_option_error(options)
    if refused is not None:
        raise SessionError(*refused)
    schema, batches = await session.query_batches(query)
    session.send(pq.copy_out_response(len(schema), fmt == "binary"))
    count = 0

    def counted() -> Iterator[pa.Table]:
        nonlocal count
        for batch in batches:
            count += batch.num_rows
            yield batch

    rows = encode(schema, counted(), fmt, options)
    while True:  # read, encoded and sent a slice at a time: a large export is never held whole
        messages = await session.run_in_engine(
            lambda: [pq.copy_data(row) for row in itertools.islice(rows, SLICE_ROWS)]
        )
        for message in messages:
            session.send(message)
        await session.flush()
        if len(messages) < SLICE_ROWS:
            break
    session.send(pq.copy_done())
    return f"COPY {count}"


def encode(schema: pa.Schema, batches: Iterable[pa.Table], fmt: str, options: dict[str, str]) -> Iterator[bytes]:
    """Each row of ``batches`` (a result with columns ``schema``) as the bytes of one CopyData
    message in ``fmt``."""
    oids = [column.type_oid for column in describe_columns(schema)]
    rows = itertools.chain.from_iterable(_rows(batch) for batch in batches)
    if fmt == "binary":
        yield from _binary(rows, oids)
        return
    delimiter = options.get("delimiter", "," if fmt == "csv" else "\t")
    null = options.get("null", "" if fmt == "csv" else "\\N")
    quote = options.get("quote", '"')
    field = _csv_field(delimiter, null, quote, options.get("escape", quote)) if fmt == "csv" else _text_field(delimiter)
    encoders = [codec.column_encoder(oid, 0) for oid in oids]
    if options.get("header", "false").lower() in ("true", "on", "1"):
        yield (delimiter.join(field(name) for name in schema.names) + "\n").encode()
    for row in rows:
        cells = (
            null if value is None else field(encode_value(value).decode()) for encode_value, value in zip(encoders, row)
        )
        yield (delimiter.join(cells) + "\n").encode()


def _rows(table: pa.Table) -> Iterator[tuple]:
    columns = [column_values(table.column(i), table.schema.field(i)) for i in range(table.num_columns)]
    return zip(*columns) if columns else iter(((),) * table.num_rows)


def _text_field(delimiter: str):
    special = re.compile("[" + re.escape("".join(_TEXT_ESCAPES) + delimiter) + "]")
    escapes = {**_TEXT_ESCAPES, delimiter: _TEXT_ESCAPES.get(delimiter, "\\" + delimiter)}
    return lambda text: special.sub(lambda m: escapes[m.group()], text)


def _csv_field(delimiter: str, null: str, quote: str, escape: str):
    """A CSV field quoted when it holds a delimiter, quote or line break, or reads as the NULL marker;
    inside, a quote (and the escape character, where it is another) follows the escape character."""

    def field(text: str) -> str:
        if text == null or any(c in text for c in (delimiter, quote, "\n", "\r")) or text == "\\.":
            if escape != quote:
                text = text.replace(escape, escape + escape)
            return quote + text.replace(quote, escape + quote) + quote
        return text

    return field


def _binary(rows, oids: list[int]) -> Iterator[bytes]:
    encoders = [codec.column_encoder(oid, 1) for oid in oids]
    prefix = BINARY_SIGNATURE + struct.pack("!iI", 0, 0)
    for row in rows:
        yield prefix + pq.tuple_fields(
            [None if value is None else encode_value(value) for encode_value, value in zip(encoders, row)]
        )
        prefix = b""
    yield prefix + b"\xff\xff"
