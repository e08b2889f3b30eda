"""PostgreSQL 16 type OIDs and the mapping from Arrow fields to them.

One table serves pg_type, RowDescription and parameter decoding. ``vector``
(pgvector) has no fixed OID in PostgreSQL; we give it one above the
bootstrap range so clients that look it up by name (``register_vector``) find it.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

VECTOR_OID = 16390
VECTOR_ARRAY_OID = 16395


@dataclass(frozen=True)
class PgType:
    oid: int
    name: str
    array_oid: int
    length: int = -1          # typlen: bytes, -1 varlena, -2 cstring
    category: str = "U"       # typcategory
    element: int = 0          # typelem, for array types
    namespace: str = "pg_catalog"


_BASE = [
    PgType(16, "bool", 1000, 1, "B"),
    PgType(17, "bytea", 1001, -1, "U"),
    PgType(18, "char", 1002, 1, "Z"),
    PgType(19, "name", 1003, 64, "S"),
    PgType(20, "int8", 1016, 8, "N"),
    PgType(21, "int2", 1005, 2, "N"),
    PgType(23, "int4", 1007, 4, "N"),
    PgType(24, "regproc", 1008, 4, "N"),
    PgType(25, "text", 1009, -1, "S"),
    PgType(26, "oid", 1028, 4, "N"),
    PgType(114, "json", 199, -1, "U"),
    PgType(700, "float4", 1021, 4, "N"),
    PgType(701, "float8", 1022, 8, "N"),
    PgType(705, "unknown", 0, -2, "X"),
    PgType(1042, "bpchar", 1014, -1, "S"),
    PgType(1043, "varchar", 1015, -1, "S"),
    PgType(1082, "date", 1182, 4, "D"),
    PgType(1083, "time", 1183, 8, "D"),
    PgType(1114, "timestamp", 1115, 8, "D"),
    PgType(1184, "timestamptz", 1185, 8, "D"),
    PgType(1186, "interval", 1187, 16, "T"),
    PgType(1560, "bit", 1561, -1, "V"),
    PgType(1562, "varbit", 1563, -1, "V"),
    PgType(1700, "numeric", 1231, -1, "N"),
    PgType(2205, "regclass", 2210, 4, "N"),
    PgType(2206, "regtype", 2211, 4, "N"),
    PgType(2950, "uuid", 2951, 16, "U"),
    PgType(3802, "jsonb", 3807, -1, "U"),
    PgType(VECTOR_OID, "vector", VECTOR_ARRAY_OID, -1, "U", namespace="public"),
]
_ARRAYS = [PgType(t.array_oid, "_" + t.name, 0, -1, "A", t.oid, t.namespace) for t in _BASE if t.array_oid]
TYPES: list[PgType] = _BASE + _ARRAYS
BY_OID: dict[int, PgType] = {t.oid: t for t in TYPES}
BY_NAME: dict[str, PgType] = {t.name: t for t in TYPES}

# names as format_type() and ::regtype print them, and the aliases to_regtype() accepts
SQL_NAMES: dict[str, str] = {
    "bool": "boolean", "int8": "bigint", "int2": "smallint", "int4": "integer", "float4": "real",
    "float8": "double precision", "varchar": "character varying", "bpchar": "character",
    "timestamp": "timestamp without time zone", "timestamptz": "timestamp with time zone",
    "time": "time without time zone", "char": '"char"',
}
_ALIASES = {v: k for k, v in SQL_NAMES.items()} | {
    "int": "int4", "integer": "int4", "bigint": "int8", "smallint": "int2", "boolean": "bool", "real": "float4",
    "double": "float8", "float": "float8", "decimal": "numeric", "string": "text", "character varying": "varchar",
    "timestamp with time zone": "timestamptz", "timestamp without time zone": "timestamp", "serial": "int4",
    "bigserial": "int8", "bit varying": "varbit",
}


def display_name(oid: int) -> str | None:
    """What format_type(oid, NULL) and oid::regtype::text print."""
    t = BY_OID.get(oid)
    if t is None:
        return None
    if t.element:
        base = display_name(t.element)
        return None if base is None else base + "[]"
    return SQL_NAMES.get(t.name, t.name)


def lookup(name: str) -> PgType | None:
    """to_regtype(): a type by SQL or internal name, schema-qualified or not, arrays as ``x[]``."""
    text = " ".join(name.strip().lower().replace('"', "").split())
    for prefix in ("pg_catalog.", "public."):
        if text.startswith(prefix):
            text = text[len(prefix):]
    if text.endswith("[]"):
        base = lookup(text[:-2])
        return BY_OID.get(base.array_oid) if base and base.array_oid else None
    text = text.split("(")[0].strip()
    return BY_NAME.get(_ALIASES.get(text, text))


def oid_for_type(dtype: pa.DataType, kind: bytes | None = None) -> int:
    """The OID a value of this Arrow type (and agentlake.type metadata) is sent as."""
    if kind == b"vector" or (pa.types.is_fixed_size_list(dtype) and pa.types.is_float32(dtype.value_type)):
        return VECTOR_OID
    if kind in (b"jsonb", b"json"):
        return 3802 if kind == b"jsonb" else 114
    if kind == b"uuid" or isinstance(dtype, pa.UuidType if hasattr(pa, "UuidType") else ()):
        return 2950
    if pa.types.is_boolean(dtype):
        return 16
    if pa.types.is_int8(dtype) or pa.types.is_int16(dtype) or pa.types.is_uint8(dtype):
        return 21
    if pa.types.is_int32(dtype) or pa.types.is_uint16(dtype):
        return 23
    if pa.types.is_integer(dtype):
        return 20 if dtype != pa.uint64() else 1700
    if pa.types.is_float16(dtype) or pa.types.is_float32(dtype):
        return 700
    if pa.types.is_float64(dtype):
        return 701
    if pa.types.is_decimal(dtype):
        return 1700
    if pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype) or pa.types.is_binary_view(dtype) \
            or pa.types.is_fixed_size_binary(dtype):
        return 17
    if pa.types.is_date(dtype):
        return 1082
    if pa.types.is_time(dtype):
        return 1083
    if pa.types.is_timestamp(dtype):
        return 1184 if dtype.tz else 1114
    if pa.types.is_duration(dtype) or pa.types.is_interval(dtype):
        return 1186
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype) or pa.types.is_fixed_size_list(dtype):
        element = BY_OID.get(oid_for_type(dtype.value_type))
        return element.array_oid if element and element.array_oid else 1009
    return 25


def oid_for_field(field: pa.Field) -> int:
    """RowDescription's type for a result column: the SQL front end's Arrow -> PostgreSQL mapping."""
    from agentlake.sql.types import pg_type

    return pg_type(field).oid


def typmod_for_field(field: pa.Field) -> int:
    """atttypmod: vector(n) carries its dimension; numeric(p, s) its precision and scale."""
    if oid_for_field(field) == VECTOR_OID and pa.types.is_fixed_size_list(field.type):
        return field.type.list_size
    if pa.types.is_decimal(field.type):
        return ((field.type.precision << 16) | field.type.scale) + 4
    return -1
