"""PostgreSQL types as catalogs and the wire name them.

The one table of types (OIDs, lengths, categories, array types) is the SQL front
end's (``agentlake.sql.types``); this module adds the names PostgreSQL prints,
lookups by any of its spellings, and the OIDs values and columns are sent as.
"""
from __future__ import annotations

import pyarrow as pa

from agentlake.sql.types import BY_NAME, BY_OID, TYPES, VECTOR_ARRAY_OID, VECTOR_OID, PgType, pg_type

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
    return pg_type(field).oid


def typmod_for_field(field: pa.Field) -> int:
    """atttypmod: vector(n) carries its dimension; numeric(p, s) its precision and scale."""
    if oid_for_field(field) == VECTOR_OID and pa.types.is_fixed_size_list(field.type):
        return field.type.list_size
    if pa.types.is_decimal(field.type):
        return ((field.type.precision << 16) | field.type.scale) + 4
    return -1


__all__ = ["BY_NAME", "BY_OID", "SQL_NAMES", "TYPES", "VECTOR_ARRAY_OID", "VECTOR_OID", "PgType", "display_name",
           "lookup", "oid_for_field", "oid_for_type", "typmod_for_field"]
