"""PostgreSQL protocol 3.0 framing: parsing frontend messages and building backend ones.

Pure functions over bytes, so every malformed input is a ``ProtocolViolation``
raised here, never a crash deeper in the server.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ..errors import Notice

PROTOCOL_3 = 196608
SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102
DEFAULT_MAX_MESSAGE = 64 * 1024 * 1024
MAX_STARTUP = 10_000


class ProtocolViolation(Exception):
    """The client broke the protocol; the session answers 08P01 and closes."""

    sqlstate = "08P01"


@dataclass
class Startup:
    code: int
    params: dict[str, str]
    cancel_key: tuple[int, int] | None = None


def startup_length(header: bytes) -> int:
    (length,) = struct.unpack("!i", header)
    if length < 8 or length > MAX_STARTUP:
        raise ProtocolViolation(f"invalid startup packet length {length}")
    return length - 4


def parse_startup(body: bytes) -> Startup:
    """The untyped first message: a protocol version, SSL/GSSENC request or CancelRequest."""
    if len(body) < 4:
        raise ProtocolViolation("startup packet too short")
    (code,) = struct.unpack("!i", body[:4])
    if code == CANCEL_REQUEST:
        if len(body) != 12:
            raise ProtocolViolation("malformed cancel request")
        pid, secret = struct.unpack("!ii", body[4:12])
        return Startup(code, {}, (pid, secret))
    if code in (SSL_REQUEST, GSSENC_REQUEST):
        return Startup(code, {})
    if code >> 16 != 3:
        raise ProtocolViolation(f"unsupported frontend protocol {code >> 16}.{code & 0xFFFF}")
    parts = body[4:].split(b"\x00")
    if len(parts) < 2 or parts[-1] != b"" or parts[-2] != b"":
        raise ProtocolViolation("startup packet is not NUL-terminated")
    fields = parts[:-2]
    if len(fields) % 2:
        raise ProtocolViolation("startup packet has a key without a value")
    try:
        params = {fields[i].decode(): fields[i + 1].decode() for i in range(0, len(fields), 2)}
    except UnicodeDecodeError:
        raise ProtocolViolation("startup packet is not UTF-8") from None
    return Startup(code, params)


def message_length(header: bytes, limit: int) -> int:
    """Length of a typed message's body from its 5-byte header, bounded by ``limit``."""
    (length,) = struct.unpack("!i", header[1:5])
    if length < 4:
        raise ProtocolViolation(f"invalid message length {length}")
    if length - 4 > limit:
        raise ProtocolViolation(f"message of {length} bytes exceeds the limit of {limit}")
    return length - 4


class Reader:
    """Reads typed fields from one message body; running past its end is a protocol violation."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def _take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ProtocolViolation("message is shorter than its contents")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def int16(self) -> int:
        return struct.unpack("!h", self._take(2))[0]

    def int32(self) -> int:
        return struct.unpack("!i", self._take(4))[0]

    def uint32(self) -> int:
        return struct.unpack("!I", self._take(4))[0]

    def byte(self) -> bytes:
        return self._take(1)

    def cstring(self) -> str:
        end = self.data.find(b"\x00", self.pos)
        if end < 0:
            raise ProtocolViolation("string is not NUL-terminated")
        raw = self.data[self.pos : end]
        self.pos = end + 1
        try:
            return raw.decode()
        except UnicodeDecodeError:
            raise ProtocolViolation("string is not valid UTF-8") from None

    def raw(self, n: int) -> bytes:
        return self._take(n)

    def rest(self) -> bytes:
        return self._take(len(self.data) - self.pos)

    def count(self, each: int) -> int:
        """A count of items of at least ``each`` bytes; bounded by what the message can hold."""
        n = self.int16()
        if n < 0 or n * each > len(self.data) - self.pos:
            raise ProtocolViolation("item count exceeds the message")
        return n


@dataclass
class Parse:
    name: str
    query: str
    param_types: list[int]


@dataclass
class Bind:
    portal: str
    statement: str
    param_formats: list[int]
    params: list[bytes | None]
    result_formats: list[int]


def parse_parse(body: bytes) -> Parse:
    r = Reader(body)
    name, query = r.cstring(), r.cstring()
    types = [r.uint32() for _ in range(r.count(4))]
    return Parse(name, query, types)


def parse_bind(body: bytes) -> Bind:
    r = Reader(body)
    portal, statement = r.cstring(), r.cstring()
    formats = [r.int16() for _ in range(r.count(2))]
    params: list[bytes | None] = []
    for _ in range(r.count(4)):
        n = r.int32()
        params.append(None if n == -1 else r.raw(n))
    results = [r.int16() for _ in range(r.count(2))]
    if any(f not in (0, 1) for f in formats + results):
        raise ProtocolViolation("format codes must be 0 (text) or 1 (binary)")
    return Bind(portal, statement, formats, params, results)


def parse_target(body: bytes) -> tuple[str, str]:
    """Describe and Close: a kind byte ('S' statement, 'P' portal) and a name."""
    r = Reader(body)
    kind = r.byte().decode("latin-1")
    if kind not in ("S", "P"):
        raise ProtocolViolation(f"invalid describe/close target {kind!r}")
    return kind, r.cstring()


def parse_execute(body: bytes) -> tuple[str, int]:
    r = Reader(body)
    return r.cstring(), r.int32()


def per_column(formats: list[int], n: int) -> list[int]:
    """Expand Bind's format list: none = all text, one = all the same, else one per column."""
    if not formats:
        return [0] * n
    if len(formats) == 1:
        return formats * n
    if len(formats) != n:
        raise ProtocolViolation(f"bind message has {len(formats)} formats for {n} values")
    return formats


# backend messages ------------------------------------------------------------


def message(kind: bytes, payload: bytes = b"") -> bytes:
    return kind + struct.pack("!i", len(payload) + 4) + payload


def cstr(text: str) -> bytes:
    return text.encode() + b"\x00"


def auth_ok() -> bytes:
    return message(b"R", struct.pack("!i", 0))


def auth_sasl(mechanisms: list[str]) -> bytes:
    return message(b"R", struct.pack("!i", 10) + b"".join(cstr(m) for m in mechanisms) + b"\x00")


def auth_sasl_continue(data: bytes) -> bytes:
    return message(b"R", struct.pack("!i", 11) + data)


def auth_sasl_final(data: bytes) -> bytes:
    return message(b"R", struct.pack("!i", 12) + data)


def parameter_status(name: str, value: str) -> bytes:
    return message(b"S", cstr(name) + cstr(value))


def backend_key(pid: int, secret: int) -> bytes:
    return message(b"K", struct.pack("!ii", pid, secret))


def notification(pid: int, channel: str, payload: str) -> bytes:
    """NotificationResponse: a NOTIFY on a channel the session listens on."""
    return message(b"A", struct.pack("!i", pid) + cstr(channel) + cstr(payload))


def ready_for_query(status: str) -> bytes:
    return message(b"Z", status.encode())


def command_complete(tag: str) -> bytes:
    return message(b"C", cstr(tag))


def empty_query() -> bytes:
    return message(b"I")


def parse_complete() -> bytes:
    return message(b"1")


def bind_complete() -> bytes:
    return message(b"2")


def close_complete() -> bytes:
    return message(b"3")


def no_data() -> bytes:
    return message(b"n")


def portal_suspended() -> bytes:
    return message(b"s")


def parameter_description(oids: list[int]) -> bytes:
    return message(b"t", struct.pack("!h", len(oids)) + b"".join(struct.pack("!I", o) for o in oids))


@dataclass
class Column:
    name: str
    type_oid: int
    type_size: int = -1
    type_modifier: int = -1
    format: int = 0
    table_oid: int = 0
    column_number: int = 0


def row_description(columns: list[Column]) -> bytes:
    out = [struct.pack("!h", len(columns))]
    for c in columns:
        out.append(
            cstr(c.name)
            + struct.pack("!IhIhih", c.table_oid, c.column_number, c.type_oid, c.type_size, c.type_modifier, c.format)
        )
    return message(b"T", b"".join(out))


def data_row(values: list[bytes | None]) -> bytes:
    return message(b"D", tuple_fields(values))


def tuple_fields(values: list[bytes | None]) -> bytes:
    """A field count, then each value length-prefixed (-1 for NULL): a DataRow's body, and a row of
    binary COPY."""
    out = [struct.pack("!h", len(values))]
    for v in values:
        out.append(b"\xff\xff\xff\xff" if v is None else struct.pack("!i", len(v)) + v)
    return b"".join(out)


def copy_in_response(columns: int, binary: bool = False) -> bytes:
    return _copy_response(b"G", columns, binary)


def copy_out_response(columns: int, binary: bool = False) -> bytes:
    return _copy_response(b"H", columns, binary)


def _copy_response(kind: bytes, columns: int, binary: bool) -> bytes:
    fmt = 1 if binary else 0
    return message(kind, struct.pack("!bh", fmt, columns) + struct.pack("!h", fmt) * columns)


def copy_data(data: bytes) -> bytes:
    return message(b"d", data)


def copy_done() -> bytes:
    return message(b"c")


_OBJECT_FIELDS = {"schema": b"s", "table": b"t", "column": b"c", "constraint": b"n"}
"""The error fields naming what an error is about, by ``Error.objects`` key."""


def _fields(
    severity: str,
    sqlstate: str,
    text: str,
    position: int | None,
    detail: str | None,
    hint: str | None,
    objects: dict[str, str] | None = None,
) -> bytes:
    parts = [b"S" + cstr(severity), b"V" + cstr(severity), b"C" + cstr(sqlstate), b"M" + cstr(text)]
    if detail:
        parts.append(b"D" + cstr(detail))
    if hint:
        parts.append(b"H" + cstr(hint))
    if position:
        parts.append(b"P" + cstr(str(position)))
    parts += [_OBJECT_FIELDS[key] + cstr(name) for key, name in (objects or {}).items() if key in _OBJECT_FIELDS]
    return b"".join(parts) + b"\x00"


def error_response(
    sqlstate: str,
    text: str,
    position: int | None = None,
    severity: str = "ERROR",
    detail: str | None = None,
    hint: str | None = None,
    objects: dict[str, str] | None = None,
) -> bytes:
    return message(b"E", _fields(severity, sqlstate, text, position, detail, hint, objects))


def notice_response(text: str, sqlstate: str | None = None, severity: str | None = None) -> bytes:
    """A NoticeResponse; an engine :class:`~agentlake.errors.Notice` brings its own severity and SQLSTATE."""
    detail = hint = None
    if isinstance(text, Notice):
        sqlstate, severity, detail, hint = sqlstate or text.sqlstate, severity or text.severity, text.detail, text.hint
    return message(b"N", _fields(severity or "NOTICE", sqlstate or "00000", text, None, detail, hint))
