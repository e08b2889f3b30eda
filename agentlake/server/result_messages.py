"""Engine results as wire messages: RowDescription columns, encoded DataRows and command tags."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pyarrow as pa

from ..pgcatalog.types import BY_OID, oid_for_field, typmod_for_field
from ..results import elementwise, is_unconstrained_numeric, is_unconstrained_numeric_array, plain_decimal
from ..tensors.arrays import nested_lists
from ..tensors.types import tensor_spec
from . import codec, statements
from . import protocol as pq
from .engine_interface import EngineCursor

TEXT_OID = 25


CHUNK_ROWS = 10_000
"""DataRows of a streamed result encoded and sent at a time."""


@dataclass
class Outcome:
    """What one statement sends back: columns (None for commands), DataRow messages, the command tag.

    A streamed result (one the engine does not hold whole) has its first rows here and the rest in
    ``more``; its tag is known once ``more`` is read to its end."""

    columns: list[pq.Column] | None
    rows: list[bytes]
    tag: str
    more: "RowSource | None" = None


class RowSource:
    """The DataRows of a result still in the engine, encoded a batch at a time as they are taken:
    what lets a result larger than memory be sent. ``take`` runs in the engine's thread."""

    def __init__(self, cursor: EngineCursor, sql: str, columns: list[pq.Column]) -> None:
        self._cursor, self._sql, self._columns = cursor, sql, columns
        self._encoded: list[bytes] = []
        self._index = 0
        self.taken = 0
        self.done = False

    def take(self, limit: int | None) -> list[bytes]:
        """Up to ``limit`` rows (None: all); ``done`` once the result is found to have no more."""
        out: list[bytes] = []
        while (limit is None or len(out) < limit) and not self.done:
            if self._index >= len(self._encoded):
                batch = self._cursor.fetch_arrow_batch()
                self._encoded, self._index = ([], 0) if batch is None else (encode_rows(batch, self._columns), 0)
                self.done = batch is None
                continue
            end = len(self._encoded) if limit is None else min(len(self._encoded), self._index + limit - len(out))
            out.extend(self._encoded[self._index : end])
            self._index = end
        self.taken += len(out)
        return out

    def resume(self) -> None:
        """The rest is taken by a new Execute of a suspended portal."""
        self._cursor.resume()

    @property
    def tag(self) -> str:
        return command_tag(self._cursor, self._sql, self.taken)


def _describe(schema: pa.Schema, formats: tuple[int, ...]) -> tuple[pq.Column, ...]:
    # pyarrow compares (and hashes) schemas without their fields' metadata, which says which text
    # column is jsonb: the cache key carries it, or a text column would be described as the last
    # jsonb column of its name
    tags = tuple(tuple(sorted(f.metadata.items())) if f.metadata else () for f in schema)
    return _described(schema, tags, formats)


@functools.lru_cache(maxsize=1024)
def _described(schema: pa.Schema, tags: tuple, formats: tuple[int, ...]) -> tuple[pq.Column, ...]:
    return tuple(describe_columns(schema, list(formats)))


def describe_columns(schema: pa.Schema, formats: list[int] | None = None) -> list[pq.Column]:
    fmts = pq.per_column(formats or [], len(schema))
    out = []
    for field, fmt in zip(schema, fmts):
        oid = oid_for_field(field)
        t = BY_OID.get(oid)
        size = t.length if t is not None and t.length > 0 else -1
        out.append(pq.Column(field.name, oid, size, typmod_for_field(field), fmt))
    return out


def column_values(column: pa.ChunkedArray, field: pa.Field | None = None) -> list:
    if field is not None and tensor_spec(field) is not None:
        return nested_lists(column)  # PostgreSQL's multidimensional arrays
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if field is not None and is_unconstrained_numeric(field):
        return [None if v is None else plain_decimal(v) for v in column.to_pylist()]
    if field is not None and is_unconstrained_numeric_array(field):
        plain = elementwise(plain_decimal)
        return [plain(v) for v in column.to_pylist()]
    return column.to_pylist()


def encode_rows(table: pa.Table, columns: list[pq.Column]) -> list[bytes]:
    encoders = [codec.column_encoder(c.type_oid, c.format) for c in columns]
    values = [column_values(table.column(i), table.schema.field(i)) for i in range(table.num_columns)]
    rows = []
    for row in zip(*values):
        rows.append(pq.data_row([None if v is None else enc(v) for enc, v in zip(encoders, row)]))
    if not values:
        rows = [pq.data_row([]) for _ in range(table.num_rows)]
    return rows


def command_tag(cursor: EngineCursor, sql: str, rows: int | None) -> str:
    tag = cursor.statusmessage
    if tag:
        return tag
    word = statements.first_word(sql)
    if rows is not None:
        return f"SELECT {rows}"
    count = max(cursor.rowcount or 0, 0)
    if word == "INSERT":
        return f"INSERT 0 {count}"
    if word in ("UPDATE", "DELETE", "MERGE", "COPY"):
        return f"{word} {count}"
    return word or "OK"


def encode_result(cursor, sql: str, formats: list[int] | None, described: list[pq.Column] | None = None) -> Outcome:
    """Runs in a worker thread, so encoding large results does not hold up the event loop.

    ``described``: the columns a client was promised by Describe before the statement ran; its
    values are encoded as those types (the client decodes them so)."""
    schema = cursor.arrow_schema
    if schema is None:
        return Outcome(None, [], command_tag(cursor, sql, None))
    columns = list(_describe(schema, tuple(formats or ())))
    if described is not None and len(described) == len(columns):
        columns = [
            pq.Column(c.name, d.type_oid, d.type_size, d.type_modifier, c.format) for c, d in zip(columns, described)
        ]
    source = RowSource(cursor, sql, columns)
    rows = source.take(None if cursor.rowcount >= 0 else CHUNK_ROWS)  # -1: a stream, its size unknown
    if source.done:
        return Outcome(columns, rows, source.tag)
    return Outcome(columns, rows, "", source)
