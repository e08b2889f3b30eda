"""Values on the wire: PostgreSQL text and binary formats, per type OID, to and from Python.

Results arrive as Arrow columns; ``column_encoder`` turns one column's Python
values into wire bytes. Parameters arrive as bytes; ``decode`` turns them into
typed Python values that the engine binds as $1..$n.
"""

from __future__ import annotations

import datetime as dt
import json
import struct
import uuid
from decimal import Decimal
from typing import Any, Callable

import numpy as np

from ..pgcatalog.types import BY_OID, HALFVEC_OID, SPARSEVEC_OID, VECTOR_OID, lookup
from ..sql.array_text import array_output
from ..sql.enum_types import enum_oid
from ..sql.text_output import float_text, interval_text, pg_text, special_float_text
from ..vector.arrays import vector_text
from ..vector.sparsevec import sparse_text

PG_EPOCH = dt.datetime(2000, 1, 1)
PG_EPOCH_UTC = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
PG_EPOCH_DATE = dt.date(2000, 1, 1)
_UNIX_TO_PG_DAYS = 10957
_NUMERIC_SIGNS = {0x0000: 1, 0x4000: -1}
_NUMERIC_SPECIAL = {0xC000: "NaN", 0xD000: "Infinity", 0xF000: "-Infinity"}

Encoder = Callable[[Any], bytes]


class CodecError(ValueError):
    """A value that does not fit its declared type (22P02 invalid_text_representation)."""

    sqlstate = "22P02"


class EncodingError(CodecError):
    """Bytes that are not UTF-8, the only encoding the server speaks."""

    sqlstate = "22021"


def utf8(data: bytes) -> str:
    try:
        return data.decode()
    except UnicodeDecodeError:
        raise EncodingError('invalid byte sequence for encoding "UTF8"') from None


# text format: encoding --------------------------------------------------------


def _float_text(v: float) -> str:
    return special_float_text(v) or float_text(v)


def _float4_text(v: float) -> str:
    return special_float_text(v) or float_text(v, single=True)


def _numeric_text(v) -> str:
    if isinstance(v, Decimal):
        if v.is_nan():
            return "NaN"
        if v.is_infinite():
            return "Infinity" if v > 0 else "-Infinity"
        return format(v, "f")
    return str(v)


def _timestamptz_text(v) -> str:
    if isinstance(v, dt.datetime) and v.tzinfo is None:
        v = v.replace(tzinfo=dt.timezone.utc)
    return pg_text(v.astimezone(dt.timezone.utc))


def _interval_parts(v) -> tuple[int, int, int]:
    """(months, days, microseconds) of a timedelta or Arrow MonthDayNano value."""
    if isinstance(v, dt.timedelta):
        return 0, v.days, v.seconds * 1_000_000 + v.microseconds
    months, days, nanos = v.months, v.days, v.nanoseconds
    return months, days, nanos // 1000


def _interval_text(v) -> str:
    return interval_text(*_interval_parts(v))


def _json_text(v) -> str:
    return v if isinstance(v, str) else json.dumps(v)


def _uuid_text(v) -> str:
    return str(v if isinstance(v, uuid.UUID) else uuid.UUID(bytes=v) if isinstance(v, bytes) else uuid.UUID(v))


_TEXT: dict[int, Callable[[Any], str]] = {
    16: lambda v: "t" if v else "f",
    17: lambda v: "\\x" + bytes(v).hex(),
    20: str,
    21: str,
    23: str,
    26: str,
    700: _float4_text,
    701: _float_text,
    1700: _numeric_text,
    1082: lambda v: v.isoformat(),
    1083: pg_text,
    1114: pg_text,
    1184: _timestamptz_text,
    1186: _interval_text,
    114: _json_text,
    3802: _json_text,
    2950: _uuid_text,
    2249: lambda v: _record_text(v),
    VECTOR_OID: vector_text,
    HALFVEC_OID: vector_text,
    SPARSEVEC_OID: sparse_text,
}


def _array_text(values, element_oid: int) -> str:
    """array_out's text; a vector element is one value, not an inner array."""
    inner_arrays = BY_OID.get(element_oid) is not None and element_oid not in (VECTOR_OID, HALFVEC_OID)
    return array_output(
        values, _TEXT.get(element_oid, str), lambda value: inner_arrays and isinstance(value, (list, tuple))
    )


_SPACE_SEPARATED = {22, 30}
"""int2vector and oidvector (pg_index's key columns) print as ``1 2``, not as arrays."""


def _record_text(v: dict) -> str:
    """record_out's text of a row value: ``(1,"a b",)``, a NULL field empty, a field quoted (its
    quotes and backslashes doubled) when empty or holding a quote, backslash, parenthesis, comma or
    space."""
    parts = []
    for value in v.values():
        if value is None:
            parts.append("")
            continue
        text = _value_text(value)
        if text == "" or any(ch in '"\\(),' or ch.isspace() for ch in text):
            text = '"' + text.replace("\\", "\\\\").replace('"', '""') + '"'
        parts.append(text)
    return "(" + ",".join(parts) + ")"


def _value_oid(value: Any) -> int:
    """The type a field of a record travels as, read off its Python value (a record keeps no types)."""
    if isinstance(value, bool):
        return 16
    if isinstance(value, dt.datetime):
        return 1114 if value.tzinfo is None else 1184
    for kind, oid in _VALUE_OIDS:
        if isinstance(value, kind):
            return oid
    return 25


_VALUE_OIDS = ((int, 20), (float, 701), (Decimal, 1700), (dt.date, 1082), (dt.time, 1083), (dict, 2249), (bytes, 17))


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        return array_output(value, _value_text)
    return _TEXT.get(_value_oid(value), str)(value)


def text_encoder(oid: int) -> Encoder:
    """Python value -> text-format bytes for a column of type ``oid``."""
    t = BY_OID.get(oid)
    if oid in _SPACE_SEPARATED:
        return lambda v: " ".join(map(str, v)).encode()
    if t is not None and t.element:
        element = t.element
        return lambda v: _array_text(v, element).encode()
    fn = _TEXT.get(oid)
    if fn is None:
        return lambda v: (v if isinstance(v, str) else str(v)).encode()
    return lambda v: fn(v).encode()


# binary format: encoding -------------------------------------------------------


def _numeric_binary(v) -> bytes:
    d = v if isinstance(v, Decimal) else Decimal(str(v))
    if d.is_nan():
        return struct.pack("!hhHh", 0, 0, 0xC000, 0)
    if d.is_infinite():
        return struct.pack("!hhHh", 0, 0, 0xD000 if d > 0 else 0xF000, 0)
    int_part, _, frac_part = format(abs(d), "f").partition(".")
    dscale = len(frac_part)
    int_part = int_part.lstrip("0")
    int_part = "0" * ((-len(int_part)) % 4) + int_part
    frac_part += "0" * ((-len(frac_part)) % 4)
    groups = [int(int_part[i : i + 4]) for i in range(0, len(int_part), 4)]
    weight = len(groups) - 1
    groups += [int(frac_part[i : i + 4]) for i in range(0, len(frac_part), 4)]
    while groups and groups[0] == 0:
        groups.pop(0)
        weight -= 1
    while groups and groups[-1] == 0:
        groups.pop()
    if not groups:
        weight = 0
    return struct.pack(f"!hhHh{len(groups)}h", len(groups), weight, 0x4000 if d < 0 else 0, dscale, *groups)


def _timestamp_micros(v: dt.datetime, utc: bool) -> int:
    if utc:
        if v.tzinfo is None:
            v = v.replace(tzinfo=dt.timezone.utc)
        delta = v - PG_EPOCH_UTC
    else:
        delta = v.replace(tzinfo=None) - PG_EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _time_micros(v: dt.time) -> int:
    return ((v.hour * 60 + v.minute) * 60 + v.second) * 1_000_000 + v.microsecond


def _interval_binary(v) -> bytes:
    months, days, micros = _interval_parts(v)
    return struct.pack("!qii", micros, days, months)


def _uuid_binary(v) -> bytes:
    return v.bytes if isinstance(v, uuid.UUID) else bytes(v) if isinstance(v, bytes) else uuid.UUID(str(v)).bytes


def _vector_binary(v) -> bytes:
    values = [float(x) for x in v]
    return struct.pack(f"!hh{len(values)}f", len(values), 0, *values)


def _halfvec_binary(v) -> bytes:
    values = np.asarray([float(x) for x in v], dtype=">f2")
    return struct.pack("!hh", len(values), 0) + values.tobytes()


def _decode_halfvec(data: bytes) -> np.ndarray:
    dim, _unused = _unpack("!hh", data[:4])
    if len(data) != 4 + 2 * dim:
        raise CodecError(f"insufficient data left in message for a halfvec of {dim} dimensions")
    return np.frombuffer(data, ">f2", dim, 4).astype(np.float32)


def _sparsevec_binary(v) -> bytes:
    indices, values = list(v["indices"]), [float(x) for x in v["values"]]
    return struct.pack(f"!iii{len(indices)}i{len(values)}f", v["dim"], len(indices), 0, *indices, *values)


def _decode_sparsevec(data: bytes) -> str:
    """A binary sparsevec parameter, as its text form: the engine reads it as it reads a literal."""
    dim, nnz, _unused = _unpack("!iii", data[:12])
    if len(data) != 12 + 8 * nnz:
        raise CodecError(f"insufficient data left in message for a sparsevec of {nnz} elements")
    return sparse_text((dim, np.frombuffer(data, ">i4", nnz, 12), np.frombuffer(data, ">f4", nnz, 12 + 4 * nnz)))


_BINARY: dict[int, Encoder] = {
    16: lambda v: b"\x01" if v else b"\x00",
    17: bytes,
    20: lambda v: struct.pack("!q", v),
    21: lambda v: struct.pack("!h", v),
    23: lambda v: struct.pack("!i", v),
    26: lambda v: struct.pack("!I", v),
    700: lambda v: struct.pack("!f", v),
    701: lambda v: struct.pack("!d", v),
    1700: _numeric_binary,
    1082: lambda v: struct.pack("!i", (v - PG_EPOCH_DATE).days),
    1083: lambda v: struct.pack("!q", _time_micros(v)),
    1114: lambda v: struct.pack("!q", _timestamp_micros(v, False)),
    1184: lambda v: struct.pack("!q", _timestamp_micros(v, True)),
    1186: _interval_binary,
    114: lambda v: _json_text(v).encode(),
    3802: lambda v: b"\x01" + _json_text(v).encode(),
    2950: _uuid_binary,
    2206: lambda v: struct.pack("!I", _regtype_oid(v)),
    2249: lambda v: _record_binary(v),
    VECTOR_OID: _vector_binary,
    HALFVEC_OID: _halfvec_binary,
    SPARSEVEC_OID: _sparsevec_binary,
}


def _regtype_oid(name: str) -> int:
    """The oid a regtype value (a type's name, as pg_typeof answers) stands for; a name no built-in
    type has is one of the branch's enum types, whose oids follow from their names."""
    found = lookup(name)
    return found.oid if found is not None else enum_oid(name.strip('"'))


def _array_dims(values) -> list[int]:
    """Sizes of a (rectangular) nested list, outermost first: a tensor is a multidimensional array."""
    dims = [len(values)]
    while values and isinstance(values[0], (list, tuple)):
        values = values[0]
        dims.append(len(values))
    return dims


def _array_binary(values, element_oid: int) -> bytes:
    encode = binary_encoder(element_oid)
    dims = _array_dims(values)
    for _ in dims[1:]:
        values = [v for inner in values for v in inner]
    has_null = any(v is None for v in values)
    parts = [struct.pack("!iii", len(dims), int(has_null), element_oid)]
    parts.extend(struct.pack("!ii", size, 1) for size in dims)
    for v in values:
        if v is None:
            parts.append(b"\xff\xff\xff\xff")
        else:
            data = encode(v)
            parts.append(struct.pack("!i", len(data)) + data)
    return b"".join(parts)


def _record_binary(v: dict) -> bytes:
    """record_send: the field count, then each field's type, length (-1 for NULL) and binary value;
    an array field travels as its text."""
    parts = [struct.pack("!i", len(v))]
    for value in v.values():
        if value is None:
            parts.append(struct.pack("!Ii", 25, -1))
            continue
        if isinstance(value, list):
            oid, data = 25, _value_text(value).encode()
        else:
            oid = _value_oid(value)
            data = binary_encoder(oid)(value)
        parts.append(struct.pack("!Ii", oid, len(data)) + data)
    return b"".join(parts)


def binary_encoder(oid: int) -> Encoder:
    """Python value -> binary-format bytes; types without a binary form are sent as their text."""
    t = BY_OID.get(oid)
    if t is not None and t.element:
        element = t.element
        return lambda v: _array_binary(list(v), element)
    return _BINARY.get(oid) or text_encoder(oid)


def column_encoder(oid: int, fmt: int) -> Encoder:
    return binary_encoder(oid) if fmt == 1 else text_encoder(oid)


# decoding parameters -------------------------------------------------------------


def _parse_bool(s: str) -> bool:
    low = s.strip().lower()
    if low in ("t", "true", "y", "yes", "on", "1"):
        return True
    if low in ("f", "false", "n", "no", "off", "0"):
        return False
    raise CodecError(f'invalid input syntax for type boolean: "{s}"')


def _parse_bytea(s: str) -> bytes:
    if s.startswith("\\x"):
        return bytes.fromhex(s[2:])
    return s.encode("latin-1").decode("unicode_escape").encode("latin-1")


def _parse_timestamp(s: str) -> dt.datetime:
    text = s.strip().replace("T", " ")
    if text.endswith(("+00", "-00")) or (len(text) > 3 and text[-3] in "+-" and text[-2:].isdigit()):
        text += ":00"
    return dt.datetime.fromisoformat(text)


def _parse_timestamptz(s: str) -> dt.datetime:
    v = _parse_timestamp(s)
    return (v if v.tzinfo else v.replace(tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc)


def _parse_interval(s: str) -> dt.timedelta:
    """Interval input in postgres style (``1 day 02:00:00``, ``3 hours``) or ISO seconds."""
    units = {
        "microsecond": 1e-6,
        "millisecond": 1e-3,
        "second": 1,
        "sec": 1,
        "minute": 60,
        "min": 60,
        "hour": 3600,
        "day": 86400,
        "week": 604800,
        "mon": 2592000,
        "month": 2592000,
        "year": 31557600,
    }
    total, words = 0.0, s.replace(",", " ").split()
    i = 0
    while i < len(words):
        word = words[i]
        if ":" in word:
            sign = -1 if word.startswith("-") else 1
            pieces = [float(p) for p in word.lstrip("+-").split(":")] + [0, 0]
            total += sign * (pieces[0] * 3600 + pieces[1] * 60 + pieces[2])
            i += 1
            continue
        number = float(word)
        unit = words[i + 1].lower().rstrip("s") if i + 1 < len(words) else "second"
        total += number * units.get(unit, units.get(unit[:3], 1))
        i += 2
    return dt.timedelta(seconds=total)


def _parse_vector(s: str) -> list[float]:
    text = s.strip()
    if not (text.startswith("[") and text.endswith("]")):
        raise CodecError(f'invalid input syntax for type vector: "{s}"')
    inner = text[1:-1].strip()
    return [float(x) for x in inner.split(",")] if inner else []


_PARSE: dict[int, Callable[[str], Any]] = {
    16: _parse_bool,
    17: _parse_bytea,
    20: int,
    21: int,
    23: int,
    26: int,
    700: float,
    701: float,
    1700: Decimal,
    1082: dt.date.fromisoformat,
    1083: dt.time.fromisoformat,
    1114: _parse_timestamp,
    1184: _parse_timestamptz,
    1186: _parse_interval,
    2950: uuid.UUID,
    VECTOR_OID: _parse_vector,
}


def _split_array(text: str) -> list[str | None]:
    """Elements of a one-dimensional ``{a,"b c",NULL}`` literal."""
    if not (text.startswith("{") and text.endswith("}")):
        raise CodecError(f'malformed array literal: "{text}"')
    out: list[str | None] = []
    i, body = 0, text[1:-1]
    while i < len(body):
        if body[i] == '"':
            i += 1
            chars = []
            while i < len(body) and body[i] != '"':
                if body[i] == "\\":
                    i += 1
                chars.append(body[i])
                i += 1
            out.append("".join(chars))
            i += 2
        else:
            end = body.find(",", i)
            end = len(body) if end < 0 else end
            item = body[i:end].strip()
            out.append(None if item.upper() == "NULL" else item)
            i = end + 1
    return out


def decode_text(oid: int, text: str) -> Any:
    """A text-format value of type ``oid``; unknown and textual types stay strings."""
    t = BY_OID.get(oid)
    try:
        if t is not None and t.element:
            parse = _PARSE.get(t.element)
            return [None if v is None else parse(v) if parse else v for v in _split_array(text)]
        parse = _PARSE.get(oid)
        return parse(text) if parse else text
    except CodecError:
        raise
    except (ValueError, ArithmeticError, IndexError) as err:
        name = t.name if t else str(oid)
        raise CodecError(f'invalid input syntax for type {name}: "{text[:100]}" ({err})') from None


def _unpack(fmt: str, data: bytes):
    try:
        return struct.unpack(fmt, data)
    except struct.error:
        raise CodecError(f"insufficient data left in message for binary value ({len(data)} bytes)") from None


def _decode_numeric(data: bytes) -> Decimal:
    ndigits, weight, sign, dscale = _unpack("!hhHh", data[:8])
    if sign in _NUMERIC_SPECIAL:
        return Decimal(_NUMERIC_SPECIAL[sign])
    digits = _unpack(f"!{ndigits}h", data[8 : 8 + 2 * ndigits])
    value = Decimal(0)
    for i, d in enumerate(digits):
        value += Decimal(d).scaleb(4 * (weight - i))
    value = value.quantize(Decimal(1).scaleb(-dscale)) if dscale < 1000 else value
    return -value if _NUMERIC_SIGNS.get(sign, 1) < 0 else value


def _decode_vector(data: bytes) -> np.ndarray:
    dim, _unused = _unpack("!hh", data[:4])
    if len(data) != 4 + 4 * dim:
        raise CodecError(f"insufficient data left in message for a vector of {dim} dimensions")
    return np.frombuffer(data, ">f4", dim, 4).astype(np.float32)


def _decode_interval(data: bytes) -> dt.timedelta:
    micros, days, months = _unpack("!qii", data)
    return dt.timedelta(days=days + 30 * months, microseconds=micros)


_BINARY_DECODE: dict[int, Callable[[bytes], Any]] = {
    16: lambda b: _unpack("!?", b)[0],
    17: bytes,
    20: lambda b: _unpack("!q", b)[0],
    21: lambda b: _unpack("!h", b)[0],
    23: lambda b: _unpack("!i", b)[0],
    26: lambda b: _unpack("!I", b)[0],
    700: lambda b: _unpack("!f", b)[0],
    701: lambda b: _unpack("!d", b)[0],
    1700: _decode_numeric,
    1082: lambda b: PG_EPOCH_DATE + dt.timedelta(days=_unpack("!i", b)[0]),
    1083: lambda b: (dt.datetime.min + dt.timedelta(microseconds=_unpack("!q", b)[0])).time(),
    1114: lambda b: PG_EPOCH + dt.timedelta(microseconds=_unpack("!q", b)[0]),
    1184: lambda b: PG_EPOCH_UTC + dt.timedelta(microseconds=_unpack("!q", b)[0]),
    1186: _decode_interval,
    114: lambda b: b.decode(),
    3802: lambda b: b[1:].decode(),
    2950: lambda b: uuid.UUID(bytes=bytes(b)),
    VECTOR_OID: _decode_vector,
    HALFVEC_OID: _decode_halfvec,
    SPARSEVEC_OID: _decode_sparsevec,
}


def _decode_binary_array(data: bytes) -> list:
    ndim, _flags, element = _unpack("!iiI", data[:12])
    if ndim == 0:
        return []
    if ndim != 1:
        raise CodecError("only one-dimensional array parameters are supported")
    size, _lower = _unpack("!ii", data[12:20])
    pos, out = 20, []
    for _ in range(size):
        (n,) = _unpack("!i", data[pos : pos + 4])
        pos += 4
        if n == -1:
            out.append(None)
            continue
        out.append(decode_binary(element, data[pos : pos + n]))
        pos += n
    return out


FIRST_USER_OID = 16384
"""Types at or above it that are not built in are the branch's enum types (the only types it can
define), whose binary form is the label's text, as PostgreSQL's enum_recv reads it."""


def decode_binary(oid: int, data: bytes) -> Any:
    """A binary-format parameter; a type without a binary decoder is an error (as in PostgreSQL)."""
    t = BY_OID.get(oid)
    if t is not None and t.element:
        return _decode_binary_array(data)
    fn = _BINARY_DECODE.get(oid)
    if fn is not None:
        return fn(data)
    if t is not None and t.category == "S" or oid in (0, 705) or (t is None and oid >= FIRST_USER_OID):
        return data.decode()
    raise CodecError(f"no binary input function for type {t.name if t else oid}")


def decode(oid: int, fmt: int, data: bytes | None) -> Any:
    if data is None:
        return None
    if fmt == 1:
        return decode_binary(oid, data)
    return decode_text(oid, utf8(data))
