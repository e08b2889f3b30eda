"""SQL types <-> Arrow types.

Storage is Arrow/Parquet, so every SQL type maps to one Arrow type; types Arrow
lacks (jsonb, uuid, vector) keep their SQL name in the field metadata so the
wire server and Python results can present them as PostgreSQL would.
"""
from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from ..errors import ProgrammingError

TYPE_KEY = b"agentlake.type"
T = exp.DataType.Type

_SIMPLE: dict = {
    T.SMALLINT: pa.int16(), T.INT: pa.int32(), T.BIGINT: pa.int64(), T.TINYINT: pa.int16(),
    T.FLOAT: pa.float32(), T.DOUBLE: pa.float64(), T.BOOLEAN: pa.bool_(),
    T.TEXT: pa.string(), T.VARCHAR: pa.string(), T.CHAR: pa.string(), T.NAME: pa.string(),
    T.NCHAR: pa.string(), T.NVARCHAR: pa.string(),
    T.DATE: pa.date32(), T.TIME: pa.time64("us"), T.TIMESTAMP: pa.timestamp("us"),
    T.TIMESTAMPTZ: pa.timestamp("us", tz="UTC"), T.TIMESTAMPLTZ: pa.timestamp("us", tz="UTC"),
    T.INTERVAL: pa.month_day_nano_interval(), T.VARBINARY: pa.binary(), T.BINARY: pa.binary(),
    T.SERIAL: pa.int32(), T.BIGSERIAL: pa.int64(), T.SMALLSERIAL: pa.int16(),
}
_TAGGED = {T.JSON: b"json", T.JSONB: b"jsonb", T.UUID: b"uuid"}


def _precision(node: exp.DataType) -> list[int]:
    out = []
    for param in node.expressions:
        value = param.this if isinstance(param, exp.DataTypeParam) else param
        out.append(int(value.name if isinstance(value, exp.Expression) else value))
    return out


def arrow_type(node: exp.DataType | str) -> tuple[pa.DataType, dict]:
    """(Arrow type, field metadata) for a SQL type; unknown types raise 42704."""
    if isinstance(node, str):
        node = exp.DataType.build(node, dialect="postgres")
    kind = node.this
    if kind in _SIMPLE:
        return _SIMPLE[kind], {}
    if kind in _TAGGED:
        return pa.string(), {TYPE_KEY: _TAGGED[kind]}
    if kind in (T.DECIMAL, T.BIGDECIMAL):
        params = _precision(node)
        precision, scale = (params + [38, 10])[:2] if params else (38, 10)
        if len(params) == 1:
            scale = 0
        return pa.decimal128(precision, scale), {}
    if kind == T.ARRAY:
        inner, _ = arrow_type(node.expressions[0])
        return pa.list_(inner), {}
    if kind == T.VECTOR or (kind == T.USERDEFINED and node.args.get("kind", "").lower() == "vector"):
        params = _precision(node)
        if not params:
            raise ProgrammingError("vector columns need a dimension, as in vector(384)", sqlstate="22023")
        return pa.list_(pa.float32(), params[-1]), {TYPE_KEY: b"vector"}
    raise ProgrammingError(f'type "{node.sql(dialect="postgres").lower()}" does not exist', sqlstate="42704")


def vector_field_type(dim: int) -> pa.DataType:
    return pa.list_(pa.float32(), dim)


def sql_type_name(field: pa.Field) -> str:
    """The PostgreSQL spelling of a field's type (for casts and catalogs)."""
    tagged = (field.metadata or {}).get(TYPE_KEY)
    t = field.type
    if tagged == b"vector" or pa.types.is_fixed_size_list(t):
        return f"vector({t.list_size})"
    if tagged:
        return tagged.decode()
    if pa.types.is_list(t):
        return sql_type_name(pa.field("item", t.value_type)) + "[]"
    if pa.types.is_decimal(t):
        return f"numeric({t.precision},{t.scale})"
    if pa.types.is_timestamp(t):
        return "timestamptz" if t.tz else "timestamp"
    names = {pa.int8(): "int2", pa.int16(): "int2", pa.int32(): "int4", pa.int64(): "int8", pa.float32(): "float4",
             pa.float64(): "float8", pa.bool_(): "bool", pa.string(): "text", pa.large_string(): "text",
             pa.binary(): "bytea", pa.date32(): "date", pa.time64("us"): "time",
             pa.month_day_nano_interval(): "interval"}
    return names.get(t, "text")


__all__ = ["TYPE_KEY", "arrow_type", "sql_type_name", "vector_field_type"]
