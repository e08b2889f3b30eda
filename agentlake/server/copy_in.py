"""COPY ... FROM STDIN: bulk loads in PostgreSQL's text and CSV formats.

The rows arrive as CopyData messages, are decoded with the target columns'
types, and are inserted in batches inside one transaction, so a load that
fails half-way commits nothing.
"""
from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from . import codec, protocol as pq
from ..pgcatalog.engine_hook import table_schema
from ..pgcatalog.types import oid_for_field

if TYPE_CHECKING:
    from .session import Session

BATCH_ROWS = 1000
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
        for record in csv.reader(io.StringIO(data), delimiter=delimiter, quotechar=options.get("quote", '"')):
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


def _decoded_columns(rows: list[list[str | None]], oids: list[int], table: str) -> list[list[Any]]:
    columns: list[list[Any]] = [[] for _ in oids]
    for line_no, row in enumerate(rows, 1):
        if len(row) != len(oids):
            raise codec.CodecError(f"COPY {table}, line {line_no}: expected {len(oids)} columns, got {len(row)}")
        for values, value, oid in zip(columns, row, oids):
            values.append(None if value is None else codec.decode_text(oid, value))
    return columns


def _insert(conn, table: str, names: list[str], columns: list[list[Any]]) -> None:
    """Multi-row INSERTs with bound parameters: the path for column subsets (defaults apply)."""
    quoted = ", ".join('"' + n.replace('"', '""') + '"' for n in names)
    rows = list(zip(*columns))
    for start in range(0, len(rows), BATCH_ROWS):
        params: list[Any] = []
        groups = []
        for row in rows[start:start + BATCH_ROWS]:
            groups.append("(" + ", ".join(f"${len(params) + i + 1}" for i in range(len(row))) + ")")
            params.extend(row)
        conn.execute(f'INSERT INTO "{table}" ({quoted}) VALUES ' + ", ".join(groups), params)


def _load(session: "Session", table: str, columns: list[str] | None, options: dict[str, str], data: str) -> int:
    conn = session.conn
    schema = table_schema(conn, table)
    if schema is None:
        raise codec.CodecError(f'relation "{table}" does not exist')
    by_name = {f.name: f for f in schema}
    names = columns or [f.name for f in schema]
    missing = [n for n in names if n not in by_name]
    if missing:
        raise codec.CodecError(f'column "{missing[0]}" of relation "{table}" does not exist')
    rows = parse_rows(data, options)
    decoded = _decoded_columns(rows, [oid_for_field(by_name[n]) for n in names], table)
    load_arrow = getattr(conn, "load_arrow", None)
    if load_arrow is not None and sorted(names) == sorted(by_name):
        arrays = dict(zip(names, decoded))
        load_arrow(table, pa.table([pa.array(arrays[f.name], f.type) for f in schema], schema=schema))
        return len(rows)
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
    return len(rows)


async def run(session: "Session", table: str, columns: list[str] | None, options: dict[str, str]) -> str:
    """Drive one COPY FROM STDIN: CopyInResponse, CopyData..., CopyDone, then the insert."""
    from .session import SessionError, current_branch

    session._check_rights(current_branch(session.conn), "write")
    width = len(columns) if columns else 0
    session.send(pq.copy_in_response(width))
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
    try:
        text = b"".join(chunks).decode()
    except UnicodeDecodeError:
        raise SessionError("22021", 'invalid byte sequence for encoding "UTF8"') from None
    try:
        count = await session._in_thread(lambda: _load(session, table, columns, options, text))
    except SessionError:
        raise
    except Exception as err:  # noqa: BLE001 - reported with its SQLSTATE; the load's transaction is rolled back
        raise SessionError(getattr(err, "sqlstate", "XX000"), str(err)) from None
    return f"COPY {count}"
