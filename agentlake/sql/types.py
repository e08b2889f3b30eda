"""SQL types <-> Arrow types.

Storage is Arrow/Parquet, so every SQL type maps to one Arrow type; types Arrow
lacks (jsonb, uuid, vector) keep their SQL name in the field metadata so the
wire server and Python results can present them as PostgreSQL would.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from ..errors import NotSupportedError, ProgrammingError
from ..media.types import MEDIA_KINDS, media_field, media_kind
from ..results import ELEMENT_KEY, NUMERIC_KEY, is_unconstrained_numeric
from ..tensors.types import DTYPES, tensor_field, tensor_spec
from .enum_types import LABELS_KEY, enum_array_oid, enum_metadata, enum_oid
from .field_tags import TYPE_KEY
from .unconstrained_numeric import UNCONSTRAINED
from .vector_typmods import MAX_DIM, typmod_error

DIM_KEY = b"agentlake.dim"
SPARSEVEC_TYPE = pa.struct(
    [
        pa.field("dim", pa.int32()),
        pa.field("indices", pa.list_(pa.field("element", pa.int32()))),
        pa.field("values", pa.list_(pa.field("element", pa.float32()))),
    ]
)
"""pgvector's sparsevec as Arrow: 0-based ascending indices of the non-zero values (any struct of exactly
these fields is a sparsevec); a ``sparsevec(n)`` column keeps n under ``DIM_KEY``. Lists name their
items "element", as Parquet files read back."""


def is_sparsevec(t: pa.DataType) -> bool:
    """Whether ``t`` is a sparsevec, however its lists name their items."""
    return pa.types.is_struct(t) and [f.name for f in t] == ["dim", "indices", "values"]


T = exp.DataType.Type

CHAR_KEY = b"agentlake.char"
"""Field metadata of a text column declared ``varchar`` or ``char(n)``: PostgreSQL's type for it
(``varchar``, ``bpchar``), which results and the catalog report (clients and Alembic's
autogenerate compare it with their models). Storage and every operation stay text's."""
_CHARACTER_TYPES = {T.VARCHAR: b"varchar", T.NVARCHAR: b"varchar", T.CHAR: b"bpchar", T.NCHAR: b"bpchar"}


def character_metadata(node: exp.DataType) -> dict[bytes, bytes]:
    """:data:`CHAR_KEY` for a column declared with ``node`` when it is varchar or char; else
    nothing. A char(n) column keeps n under ``DIM_KEY``: its values are shown blank-padded to it."""
    declared = _CHARACTER_TYPES.get(node.this)
    if declared is None:
        return {}
    if declared == b"bpchar":
        length = int(node.expressions[0].name) if node.expressions else 1
        return {CHAR_KEY: declared, DIM_KEY: str(length).encode()}
    return {CHAR_KEY: declared}


def padded_characters(table: pa.Table) -> pa.Table:
    """``table`` with its char(n) columns blank-padded to n, as PostgreSQL shows them (they are
    stored, compared and measured without the padding, as PostgreSQL's character semantics read them)."""
    for index, f in enumerate(table.schema):
        meta = f.metadata or {}
        if meta.get(CHAR_KEY) == b"bpchar" and DIM_KEY in meta:
            padded = pc.utf8_rpad(table.column(index), width=int(meta[DIM_KEY]), padding=" ")
            table = table.set_column(index, f, padded)
    return table


_SIMPLE: dict = {
    T.SMALLINT: pa.int16(),
    T.INT: pa.int32(),
    T.BIGINT: pa.int64(),
    T.TINYINT: pa.int16(),
    T.FLOAT: pa.float32(),
    T.DOUBLE: pa.float64(),
    T.BOOLEAN: pa.bool_(),
    T.TEXT: pa.string(),
    T.VARCHAR: pa.string(),
    T.CHAR: pa.string(),
    T.NAME: pa.string(),
    T.NCHAR: pa.string(),
    T.NVARCHAR: pa.string(),
    T.DATE: pa.date32(),
    T.TIME: pa.time64("us"),
    T.TIMESTAMP: pa.timestamp("us"),
    T.TIMESTAMPTZ: pa.timestamp("us", tz="UTC"),
    T.TIMESTAMPLTZ: pa.timestamp("us", tz="UTC"),
    T.INTERVAL: pa.month_day_nano_interval(),
    T.VARBINARY: pa.binary(),
    T.BINARY: pa.binary(),
    T.SERIAL: pa.int32(),
    T.BIGSERIAL: pa.int64(),
    T.SMALLSERIAL: pa.int16(),
}
_TAGGED = {T.JSON: b"json", T.JSONB: b"jsonb", T.UUID: b"uuid"}


def _precision(node: exp.DataType) -> list[int]:
    out = []
    for param in node.expressions:
        value = param.this if isinstance(param, exp.DataTypeParam) else param
        out.append(int(value.name if isinstance(value, exp.Expression) else value))
    return out


def array_metadata(element: Mapping[bytes, bytes]) -> dict[bytes, bytes]:
    """An array column's metadata from its elements': a uuid or json(b) element's tag (ELEMENT_KEY),
    and an unconstrained numeric's mark, which lists keep for their elements."""
    tag = element.get(TYPE_KEY)
    if tag in _TAGGED.values():
        return {ELEMENT_KEY: tag}
    return {k: v for k, v in element.items() if k == NUMERIC_KEY}


def element_field(array: pa.Field) -> pa.Field:
    """The field of an array column's elements, tagged as its elements are (a uuid[]'s are uuids)."""
    value = array.type.value_field
    tag = (array.metadata or {}).get(ELEMENT_KEY)
    if tag is not None:
        return value.with_metadata({**(value.metadata or {}), TYPE_KEY: tag})
    if (array.metadata or {}).get(NUMERIC_KEY) is not None:
        return value.with_metadata({**(value.metadata or {}), NUMERIC_KEY: array.metadata[NUMERIC_KEY]})
    return value


def user_type_name(node: exp.DataType) -> str:
    """The lower-case name a type sqlglot does not know is written with (``mood``, ``tensor``),
    without the default schema (``public.mood`` is ``mood``); "" for the types it knows."""
    kind = node.args.get("kind")
    return (kind.name if isinstance(kind, exp.Expression) else str(kind or "")).lower().removeprefix("public.")


def arrow_type(node: exp.DataType | str, enums: Mapping[str, list[str]] | None = None) -> tuple[pa.DataType, dict]:
    """(Arrow type, field metadata) for a SQL type; unknown types raise 42704. ``enums``: the
    branch's enum types, name -> labels (:mod:`.enum_types`)."""
    if isinstance(node, str):
        try:
            node = exp.DataType.build(node, dialect="postgres", udt=bool(enums))
        except (ParseError, TokenError, ValueError):
            raise ProgrammingError(f'type "{node}" does not exist', sqlstate="42704") from None
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
        return pa.decimal128(precision, scale), {} if params else dict(UNCONSTRAINED)
    if kind == T.ARRAY:
        inner, inner_metadata = arrow_type(node.expressions[0], enums)
        if LABELS_KEY in inner_metadata:
            raise NotSupportedError("arrays of enum types are not supported", sqlstate="0A000")
        return pa.list_(inner), array_metadata(inner_metadata)
    user_kind = user_type_name(node)
    if kind == T.USERDEFINED and user_kind in ("tsvector", "tsquery"):  # kept as PostgreSQL's text form
        return pa.string(), {TYPE_KEY: user_kind.encode()}
    if kind == T.USERDEFINED and user_kind == "tensor":
        from .tensor_expressions import spec_of_type

        return tensor_field(spec_of_type(node))
    if kind == T.USERDEFINED and user_kind in MEDIA_KINDS:
        return media_field(user_kind)
    if kind == T.BIT or (kind == T.USERDEFINED and user_kind == "varbit"):  # bit strings kept as their text
        params = _precision(node) or ([1] if kind == T.BIT else [])
        meta = {TYPE_KEY: b"bit" if kind == T.BIT else b"varbit"}
        return pa.string(), {**meta, DIM_KEY: str(params[0]).encode()} if params else meta
    vector_kind = "vector" if kind == T.VECTOR else user_kind
    if vector_kind in MAX_DIM and node.expressions:
        invalid = typmod_error(vector_kind, node.expressions)
        if invalid is not None:
            raise invalid
    if kind == T.USERDEFINED and user_kind == "sparsevec":
        params = _precision(node)
        if not params:
            raise ProgrammingError("sparsevec columns need a dimension, as in sparsevec(30522)", sqlstate="22023")
        return SPARSEVEC_TYPE, {TYPE_KEY: b"sparsevec", DIM_KEY: str(params[-1]).encode()}
    if kind == T.USERDEFINED and user_kind == "halfvec":
        params = _precision(node)
        if not params:
            raise ProgrammingError("halfvec columns need a dimension, as in halfvec(384)", sqlstate="22023")
        return pa.list_(pa.float16(), params[-1]), {TYPE_KEY: b"halfvec"}
    if kind == T.VECTOR or (kind == T.USERDEFINED and user_kind == "vector"):
        params = _precision(node)
        if not params:  # pgvector's vector without a dimension: each row has its own (no index on it)
            return pa.list_(pa.field("vector", pa.float32())), {TYPE_KEY: b"vector"}
        return pa.list_(pa.float32(), params[-1]), {TYPE_KEY: b"vector"}
    if kind == T.USERDEFINED and enums and user_kind in enums:
        return pa.string(), enum_metadata(user_kind, enums[user_kind])
    raise ProgrammingError(f'type "{node.sql(dialect="postgres").lower()}" does not exist', sqlstate="42704")


def vector_field_type(dim: int) -> pa.DataType:
    return pa.list_(pa.float32(), dim)


_SIMPLE_NAMES = {
    pa.int8(): "int2",
    pa.int16(): "int2",
    pa.int32(): "int4",
    pa.int64(): "int8",
    pa.float32(): "float4",
    pa.float64(): "float8",
    pa.bool_(): "bool",
    pa.string(): "text",
    pa.large_string(): "text",
    pa.binary(): "bytea",
    pa.date32(): "date",
    pa.time64("us"): "time",
    pa.month_day_nano_interval(): "interval",
}


def sql_type_name(field: pa.Field) -> str:
    """The PostgreSQL spelling of a field's type (for casts and catalogs)."""
    tagged = (field.metadata or {}).get(TYPE_KEY)
    t = field.type
    spec = tensor_spec(field)
    if spec is not None:
        return spec.sql()
    if is_sparsevec(t):
        dim = (field.metadata or {}).get(DIM_KEY)
        return f"sparsevec({dim.decode()})" if dim else "sparsevec"
    if tagged == b"halfvec" or (pa.types.is_fixed_size_list(t) and pa.types.is_float16(t.value_type)):
        return f"halfvec({t.list_size})"
    if tagged == b"vector" or pa.types.is_fixed_size_list(t):
        return f"vector({t.list_size})" if pa.types.is_fixed_size_list(t) else "vector"
    if tagged:
        return tagged.decode()
    if pa.types.is_list(t):
        return sql_type_name(pa.field("item", t.value_type)) + "[]"
    if is_unconstrained_numeric(field):
        return "numeric"
    if pa.types.is_decimal(t):
        return f"numeric({t.precision},{t.scale})"
    if pa.types.is_timestamp(t):
        return "timestamptz" if t.tz else "timestamp"
    return _SIMPLE_NAMES.get(t, "text")


# pgvector's type has no fixed OID in PostgreSQL (an extension's OIDs depend on the
# database); agentlake fixes it above the bootstrap range, as pg_catalog reports it.
VECTOR_OID = 16390
VECTOR_ARRAY_OID = 16395
HALFVEC_OID = 16400
HALFVEC_ARRAY_OID = 16405
SPARSEVEC_OID = 16410
SPARSEVEC_ARRAY_OID = 16415


def void_field(name: str) -> pa.Field:
    """The result of a function returning ``void`` (pg_sleep, pg_advisory_lock, pg_notify): an empty
    text per row (NULL where a strict function had a NULL argument), typed void on the wire."""
    return pa.field(name, pa.string(), metadata={TYPE_KEY: b"void"})


@dataclass(frozen=True)
class PgType:
    """A row of pg_type: what the wire protocol and pg_catalog call a column's type."""

    oid: int
    name: str
    array_oid: int
    length: int = -1  # typlen: bytes, -1 varlena, -2 cstring
    category: str = "U"  # typcategory
    element: int = 0  # typelem, for array types
    namespace: str = "pg_catalog"


_BASE = [
    PgType(16, "bool", 1000, 1, "B"),
    PgType(17, "bytea", 1001, -1, "U"),
    PgType(18, "char", 1002, 1, "Z"),
    PgType(19, "name", 1003, 64, "S"),
    PgType(20, "int8", 1016, 8, "N"),
    PgType(21, "int2", 1005, 2, "N"),
    PgType(22, "int2vector", 1006, -1, "A", element=21),
    PgType(23, "int4", 1007, 4, "N"),
    PgType(24, "regproc", 1008, 4, "N"),
    PgType(25, "text", 1009, -1, "S"),
    PgType(26, "oid", 1028, 4, "N"),
    PgType(30, "oidvector", 1013, -1, "A", element=26),
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
    PgType(2278, "void", 0, 4, "P"),
    PgType(2249, "record", 2287, -1, "P"),
    PgType(2950, "uuid", 2951, 16, "U"),
    PgType(3614, "tsvector", 3643, -1, "U"),
    PgType(3615, "tsquery", 3645, -1, "U"),
    PgType(3802, "jsonb", 3807, -1, "U"),
    PgType(VECTOR_OID, "vector", VECTOR_ARRAY_OID, -1, "U", namespace="public"),
    PgType(HALFVEC_OID, "halfvec", HALFVEC_ARRAY_OID, -1, "U", namespace="public"),
    PgType(SPARSEVEC_OID, "sparsevec", SPARSEVEC_ARRAY_OID, -1, "U", namespace="public"),
]


def array_type(t: PgType) -> PgType:
    """pg_type's row for the array type of ``t`` (``_int4`` of ``int4``)."""
    return PgType(t.array_oid, "_" + t.name, 0, -1, "A", t.oid, t.namespace)


_ARRAYS = [array_type(t) for t in _BASE if t.array_oid]
TYPES: list[PgType] = _BASE + _ARRAYS
BY_OID: dict[int, PgType] = {t.oid: t for t in TYPES}
BY_NAME: dict[str, PgType] = {t.name: t for t in TYPES}


# names as format_type() and ::regtype print them, and the aliases to_regtype() accepts
SQL_NAMES: dict[str, str] = {
    "bool": "boolean",
    "int8": "bigint",
    "int2": "smallint",
    "int4": "integer",
    "float4": "real",
    "float8": "double precision",
    "varchar": "character varying",
    "bpchar": "character",
    "timestamp": "timestamp without time zone",
    "timestamptz": "timestamp with time zone",
    "time": "time without time zone",
    "char": '"char"',
}
INTERNAL_NAMES: dict[str, str] = {v: k for k, v in SQL_NAMES.items()} | {
    "int": "int4",
    "integer": "int4",
    "bigint": "int8",
    "smallint": "int2",
    "boolean": "bool",
    "real": "float4",
    "double": "float8",
    "float": "float8",
    "decimal": "numeric",
    "string": "text",
    "character varying": "varchar",
    "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamp",
    "serial": "int4",
    "bigserial": "int8",
    "bit varying": "varbit",
}
"""Every SQL spelling of a built-in type (``real``, ``integer``, ``timestamp with time zone``) -> its
internal name (``float4``, ``int4``, ``timestamptz``), which ``to_regtype`` and output column names use."""


def internal_type_name(spelling: str) -> str:
    """The internal name of a type as written in a cast: ``REAL[]`` -> ``float4``, ``VARCHAR(10)`` -> ``varchar``
    (PostgreSQL names an unnamed cast column after it, arrays after their element)."""
    text = " ".join(spelling.lower().replace('"', "").split()).split("(")[0].strip()
    while text.endswith("[]"):
        text = text[:-2].strip()
    text = text.removeprefix("pg_catalog.")
    if text == "char" and not spelling.lstrip().startswith('"'):
        return "bpchar"  # char(n) is blank-padded character; only "char", quoted, is the one-byte type
    return INTERNAL_NAMES.get(text, text)


def pg_type(field: pa.Field) -> PgType:
    """The PostgreSQL type of an Arrow field (arrays become PostgreSQL's ``_elem`` array types)."""
    t = field.type
    spec = tensor_spec(field)
    if spec is not None:  # a tensor travels as a (multidimensional) array of its elements
        element = pg_type(
            pa.field(
                "item",
                DTYPES[
                    "int16"
                    if spec.dtype in ("int8", "uint8")
                    else "int64"
                    if spec.dtype in ("uint32", "uint64")
                    else "int32"
                    if spec.dtype == "uint16"
                    else spec.dtype
                ],
            )
        )
        return BY_OID[element.array_oid]
    if media_kind(field) is not None:
        return BY_NAME["bytea"]
    if (pa.types.is_list(t) or pa.types.is_fixed_size_list(t)) and pa.types.is_float16(t.value_type):
        return BY_NAME["halfvec"]
    if is_sparsevec(t):
        return BY_NAME["sparsevec"]
    is_vector = (field.metadata or {}).get(TYPE_KEY) == b"vector" or (
        pa.types.is_fixed_size_list(t) and pa.types.is_floating(t.value_type)
    )
    if is_vector:
        return BY_NAME["vector"]
    if (field.metadata or {}).get(TYPE_KEY) in (b"int2vector", b"oidvector"):  # pg_index's key columns
        return BY_NAME[field.metadata[TYPE_KEY].decode()]
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        element = pg_type(element_field(field) if pa.types.is_list(t) else t.value_field)
        return BY_OID.get(element.array_oid, BY_NAME["_text"])
    if pa.types.is_struct(t):  # ROW(...) and (a, b): an anonymous record
        return BY_NAME["record"]
    if LABELS_KEY in (field.metadata or {}):
        name = field.metadata[TYPE_KEY].decode()
        return PgType(enum_oid(name), name, enum_array_oid(name), 4, "E", namespace="public")
    name = sql_type_name(field).split("(")[0]
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        declared = (field.metadata or {}).get(CHAR_KEY)
        if declared is not None:
            return BY_NAME[declared.decode()]
        tagged_strings = (
            "json",
            "jsonb",
            "uuid",
            "char",
            "name",
            "tsvector",
            "tsquery",
            "bit",
            "varbit",
            "regtype",
            "void",
        )
        name = name if name in tagged_strings else "text"
    elif pa.types.is_uint32(t):
        name = "oid"  # PostgreSQL's one unsigned integer: the catalogs' object ids are uint32 here
    elif pa.types.is_integer(t):
        name = "int2" if t.bit_width <= 16 else "int4" if t.bit_width == 32 else "int8"
    elif pa.types.is_binary(t) or pa.types.is_large_binary(t):
        name = "bytea"
    elif pa.types.is_time(t):
        name = "time"
    elif pa.types.is_floating(t):
        name = "float4" if t.bit_width <= 32 else "float8"
    return BY_NAME.get(name, BY_NAME["text"])


OPCLASSES = {
    "vector_l2_ops": "l2",
    "vector_cosine_ops": "cosine",
    "vector_ip_ops": "ip",
    "vector_l1_ops": "l1",
    "halfvec_l2_ops": "l2",
    "halfvec_cosine_ops": "cosine",
    "halfvec_ip_ops": "ip",
    "halfvec_l1_ops": "l1",
    "sparsevec_l2_ops": "l2",
    "sparsevec_cosine_ops": "cosine",
    "sparsevec_ip_ops": "ip",
    "sparsevec_l1_ops": "l1",
    "bit_hamming_ops": "hamming",
    "bit_jaccard_ops": "jaccard",
}
"""pgvector's operator classes: which metric an index built ``USING hnsw (embedding <opclass>)`` serves."""


__all__ = [
    "BY_NAME",
    "BY_OID",
    "CHAR_KEY",
    "character_metadata",
    "padded_characters",
    "DIM_KEY",
    "HALFVEC_OID",
    "OPCLASSES",
    "SPARSEVEC_OID",
    "SPARSEVEC_TYPE",
    "is_sparsevec",
    "TYPES",
    "TYPE_KEY",
    "VECTOR_ARRAY_OID",
    "VECTOR_OID",
    "PgType",
    "arrow_type",
    "pg_type",
    "sql_type_name",
    "vector_field_type",
]
