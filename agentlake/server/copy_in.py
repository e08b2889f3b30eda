"""COPY ... FROM STDIN: bulk loads in PostgreSQL's text, CSV and binary formats.

The rows arrive as CopyData messages, are decoded with the target columns'
types, and are inserted in batches inside one transaction, so a load that
fails half-way commits nothing. The binary format is what asyncpg's
``copy_records_to_table`` and psycopg's ``copy.set_types`` (pgvector's advice for
bulk loads) send.
"""

from __future__ import annotations

import csv
import io
import struct
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ..pgcatalog.types import HALFVEC_OID, SPARSEVEC_OID, VECTOR_OID, oid_for_field
from ..sql.types import DIM_KEY, SPARSEVEC_TYPE, element_field, is_sparsevec
from ..sql.uuid_input import is_uuid_field
from ..vector.arrays import as_vectors
from ..vector.sparsevec import as_sparsevecs
from . import codec
from . import protocol as pq
from .engine_interface import EngineConnection, table_schema
from .statements import copy_option_error

if TYPE_CHECKING:
    from .session import WireSession

BATCH_ROWS = 1000
BINARY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_WITH_OIDS = 1 << 16


class CopyFormatError(codec.CodecError):
    """Binary COPY data that does not follow PostgreSQL's layout."""

    sqlstate = "22P04"


_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            out.append(_ESCAPES.get(text[i + 1], text[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_rows(data: str, options: dict[str, str]) -> list[list[str | None]]:
    """Fields of every row; NULL markers become None."""
    fmt = options.get("format", "text").lower()
    header = options.get("header", "false").lower() in ("true", "on", "1", "match")
    if fmt == "csv":
        delimiter = options.get("delimiter", ",")
        null = options.get("null", "")
        rows = []
        quote = options.get("quote", '"')
        escape = options.get("escape", quote)
        reader = csv.reader(
            io.StringIO(data),
            delimiter=delimiter,
            quotechar=quote,
            doublequote=escape == quote,
            escapechar=None if escape == quote else escape,
        )
        for record in reader:
            rows.append([None if v == null else v for v in record])
        return rows[1:] if header else rows
    if fmt != "text":
        raise codec.CodecError(f'COPY format "{fmt}" not recognized')
    delimiter = options.get("delimiter", "\t")
    null = options.get("null", "\\N")
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if lines and lines[-1] == "\\.":
        lines.pop()
    rows = [[None if v == null else _unescape(v) for v in line.split(delimiter)] for line in lines]
    return rows[1:] if header else rows


def binary_rows(data: bytes, oids: list[int]) -> list[list[Any]]:
    """Rows of PostgreSQL's binary COPY format (signature, flags, header extension, then per row a
    field count and length-prefixed values in each type's binary form, -1 for NULL; -1 ends)."""
    if not data.startswith(BINARY_SIGNATURE):
        raise CopyFormatError("COPY file signature not recognized")
    try:
        flags, extension = struct.unpack_from("!iI", data, len(BINARY_SIGNATURE))
        if flags & _WITH_OIDS:
            raise CopyFormatError("invalid COPY file header (WITH OIDS)")
        pos = len(BINARY_SIGNATURE) + 8 + extension
        rows = []
        while True:
            (fields,) = struct.unpack_from("!h", data, pos)
            pos += 2
            if fields == -1:
                return rows
            if fields != len(oids):
                raise CopyFormatError(f"row field count is {fields}, expected {len(oids)}")
            row = []
            for oid in oids:
                (size,) = struct.unpack_from("!i", data, pos)
                pos += 4
                if size < -1:
                    raise CopyFormatError("invalid field size")
                if size > len(data) - pos:
                    raise struct.error("value past the end")
                row.append(None if size == -1 else codec.decode_binary(oid, data[pos : pos + size]))
                pos += max(size, 0)
            rows.append(row)
    except struct.error:
        raise CopyFormatError("unexpected EOF in COPY data") from None


def _decoded_columns(data: bytes, options: dict[str, str], oids: list[int], table: str) -> list[list[Any]]:
    """The load's values, one list per target column, decoded with the columns' types."""
    if options.get("format", "text").lower() == "binary":
        rows = binary_rows(data, oids)
        return [list(column) for column in zip(*rows)] if rows else [[] for _ in oids]
    columns: list[list[Any]] = [[] for _ in oids]
    # vectors stay text here: the column is parsed in one pass when it is stored
    decoders = [
        (lambda text: text)
        if oid in (VECTOR_OID, HALFVEC_OID, SPARSEVEC_OID)
        else (lambda text, oid=oid: codec.decode_text(oid, text))
        for oid in oids
    ]
    for line_no, row in enumerate(parse_rows(codec.utf8(data), options), 1):
        if len(row) != len(oids):
            raise codec.CodecError(f"COPY {table}, line {line_no}: expected {len(oids)} columns, got {len(row)}")
        for values, value, decode in zip(columns, row, decoders):
            values.append(None if value is None else decode(value))
    return columns


def _arrow_column(values: list[Any], field: pa.Field) -> pa.Array:
    """A column of decoded values; vectors are stacked as a matrix (pgvector's 22000 on a wrong length)."""
    if is_sparsevec(field.type):
        texts = any(isinstance(value, str) for value in values)
        return as_sparsevecs(
            pa.array(values, pa.string() if texts else SPARSEVEC_TYPE),
            int((field.metadata or {}).get(DIM_KEY, b"0")) or None,
        )
    if pa.types.is_fixed_size_list(field.type):
        texts = any(isinstance(value, str) for value in values)
        return as_vectors(
            pa.array(values, pa.string() if texts else pa.list_(pa.float32())),
            field.type.list_size,
            field.type.value_type,
        )
    if is_uuid_field(field):  # decoded as uuid.UUID; stored as canonical text
        values = [None if value is None else str(value) for value in values]
    elif pa.types.is_list(field.type) and is_uuid_field(element_field(field)):  # uuid[]: the same, each element
        values = [None if value is None else [None if e is None else str(e) for e in value] for value in values]
    return pa.array(values, field.type)


def _insert(conn: EngineConnection, table: str, names: list[str], columns: list[list[Any]]) -> None:
    """Multi-row INSERTs with bound parameters: the path for column subsets (defaults apply). COPY
    writes the values it is given into identity columns, GENERATED ALWAYS ones too, as PostgreSQL's
    does (pg_dump's COPY of a table with a generated column lists the others, its identity among them)."""
    quoted = ", ".join('"' + n.replace('"', '""') + '"' for n in names)
    rows = list(zip(*columns))
    for start in range(0, len(rows), BATCH_ROWS):
        params: list[Any] = []
        groups = []
        for row in rows[start : start + BATCH_ROWS]:
            groups.append("(" + ", ".join(f"${len(params) + i + 1}" for i in range(len(row))) + ")")
            params.extend(row)
        conn.execute(f'INSERT INTO "{table}" ({quoted}) OVERRIDING SYSTEM VALUE VALUES ' + ", ".join(groups), params)


def _load(session: "WireSession", table: str, columns: list[str] | None, options: dict[str, str], data: bytes) -> int:
    conn = session.conn
    schema = table_schema(conn, table)
    if schema is None:
        raise codec.CodecError(f'relation "{table}" does not exist')
    by_name = {f.name: f for f in schema}
    names = columns or [f.name for f in schema]
    missing = [n for n in names if n not in by_name]
    if missing:
        raise codec.CodecError(f'column "{missing[0]}" of relation "{table}" does not exist')
    decoded = _decoded_columns(data, options, [oid_for_field(by_name[n]) for n in names], table)
    count = len(decoded[0]) if decoded else 0
    if sorted(names) == sorted(by_name):
        arrays = dict(zip(names, decoded))
        conn.load_arrow(table, pa.table([_arrow_column(arrays[f.name], f) for f in schema], schema=schema))
        return count
    own_tx = conn.transaction_status == "idle"
    if own_tx:
        conn.execute("BEGIN", None)
    try:
        _insert(conn, table, names, decoded)
        if own_tx:
            conn.execute("COMMIT", None)
    except BaseException:
        if own_tx:
            conn.execute("ROLLBACK", None)
        raise
    return count


async def run(session: "WireSession", table: str, columns: list[str] | None, options: dict[str, str]) -> str:
    """Drive one COPY FROM STDIN: CopyInResponse, CopyData..., CopyDone, then the insert."""
    from .session import SessionError

    quoted = '"' + table.replace('"', '""') + '"'
    await session.run_in_engine(lambda: session.conn.authorize(f"COPY {quoted} FROM STDIN"))  # before any data
    refused = copy_option_error(options)
    if refused is not None:
        raise SessionError(*refused)
    width = len(columns) if columns else 0
    binary = options.get("format", "text").lower() == "binary"
    session.send(pq.copy_in_response(width, binary))
    await session.flush()
    chunks: list[bytes] = []
    while True:
        kind, body = await session.read_message()
        if kind == b"d":
            chunks.append(body)
        elif kind == b"c":
            break
        elif kind == b"f":
            raise SessionError("57014", f"COPY from stdin failed: {pq.Reader(body).cstring()}")
        elif kind in (b"H", b"S"):
            continue
        else:
            raise SessionError("08P01", f"unexpected message type {kind!r} during COPY from stdin")
    data = b"".join(chunks)
    count = await session.run_in_engine(lambda: _load(session, table, columns, options, data))
    return f"COPY {count}"
