"""PostgreSQL types as catalogs and the wire name them.

The one table of types (OIDs, lengths, categories, array types) is the SQL front
end's (``agentlake.sql.types``); this module adds the names PostgreSQL prints,
lookups by any of its spellings, and the OIDs values and columns are sent as.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from agentlake.results import is_unconstrained_numeric
from agentlake.sql.enum_types import enum_metadata
from agentlake.sql.pg_quoting import quote_ident
from agentlake.sql.types import (
    BY_NAME,
    BY_OID,
    CHAR_KEY,
    DIM_KEY,
    HALFVEC_OID,
    INTERNAL_NAMES,
    SPARSEVEC_OID,
    SQL_NAMES,
    TYPES,
    VECTOR_ARRAY_OID,
    VECTOR_OID,
    PgType,
    array_type,
    pg_type,
)

EnumKey = tuple[tuple[str, tuple[str, ...]], ...]
"""A branch's enum types as a hashable value: (name, labels) ordered by name."""


def enum_key(enums: Mapping[str, list[str]]) -> EnumKey:
    """The enum types as a cache key: what the catalog built from them depends on."""
    return tuple((name, tuple(labels)) for name, labels in sorted(enums.items()))


def enum_types(enums: Mapping[str, list[str]]) -> list[PgType]:
    """pg_type's rows for a branch's enum types (name -> labels) and their array types: each type
    as its columns are sent (the SQL front end's :func:`pg_type`), then its array type."""
    rows = []
    for name, labels in sorted(enums.items()):
        t = pg_type(pa.field(name, pa.string(), metadata=enum_metadata(name, labels)))
        rows += [t, array_type(t)]
    return rows


def with_enum_types(enums: Mapping[str, list[str]]) -> tuple[dict[int, PgType], dict[str, PgType]]:
    """The types a branch names, by OID and by name: the built-in ones and its enum types."""
    branch = enum_types(enums)
    return BY_OID | {t.oid: t for t in branch}, BY_NAME | {t.name: t for t in branch}


def type_name(t: PgType, by_oid: Mapping[int, PgType] = BY_OID) -> str | None:
    """What format_type and ::regtype print for ``t`` (``by_oid`` finds an array's element): a
    type of schema public (an enum's, an extension's) quoted where its name needs it."""
    if t.element:
        element = by_oid.get(t.element)
        base = None if element is None else type_name(element, by_oid)
        return None if base is None else base + "[]"
    return SQL_NAMES.get(t.name, t.name) if t.namespace == "pg_catalog" else quote_ident(t.name)


def display_name(oid: int, by_oid: Mapping[int, PgType] = BY_OID) -> str | None:
    """What format_type(oid, NULL) and oid::regtype::text print; ``by_oid``: the types there are
    (the built-in ones by default, the branch's enum types too in a session's catalog)."""
    t = by_oid.get(oid)
    return None if t is None else type_name(t, by_oid)


def lookup(name: str, by_name: Mapping[str, PgType] = BY_NAME) -> PgType | None:
    """to_regtype(): a type by SQL or internal name, schema-qualified or not, arrays as ``x[]``
    (``by_name``: the types there are, as for :func:`display_name`)."""
    text = " ".join(name.strip().lower().replace('"', "").split())
    for prefix in ("pg_catalog.", "public."):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    if text.endswith("[]"):
        base = lookup(text[:-2], by_name)
        return by_name.get("_" + base.name) if base and base.array_oid else None
    text = text.split("(")[0].strip()
    return by_name.get(INTERNAL_NAMES.get(text, text))


def oid_for_field(field: pa.Field) -> int:
    """RowDescription's type for a result column: the SQL front end's Arrow -> PostgreSQL mapping."""
    return pg_type(field).oid


VARCHAR_OID = 1043


def column_type(field: pa.Field, has_length: bool) -> PgType:
    """A table column's type in pg_attribute: varchar(n) and char(n) columns are text in Arrow, their
    length kept by the manifest (``has_length``), and report as varchar; an enum column its own type."""
    if has_length and CHAR_KEY not in (field.metadata or {}):  # declared before CHAR_KEY was kept
        return BY_OID[VARCHAR_OID]
    return pg_type(field)


def column_type_name(field: pa.Field, has_length: bool) -> str:
    """A table column's type as format_type prints it without modifiers (``character varying``):
    how PostgreSQL labels a constant coerced to it."""
    return type_name(column_type(field, has_length)) or "text"


def typmod_for_field(field: pa.Field) -> int:
    """atttypmod: vector(n) carries its dimension; numeric(p, s) its precision and scale (an
    unconstrained numeric none)."""
    if oid_for_field(field) in (VECTOR_OID, HALFVEC_OID) and pa.types.is_fixed_size_list(field.type):
        return field.type.list_size
    if oid_for_field(field) == SPARSEVEC_OID and (field.metadata or {}).get(DIM_KEY):
        return int(field.metadata[DIM_KEY])
    if pa.types.is_decimal(field.type) and not is_unconstrained_numeric(field):
        return ((field.type.precision << 16) | field.type.scale) + 4
    return -1


__all__ = [
    "BY_NAME",
    "BY_OID",
    "HALFVEC_OID",
    "SPARSEVEC_OID",
    "SQL_NAMES",
    "TYPES",
    "VECTOR_ARRAY_OID",
    "VARCHAR_OID",
    "VECTOR_OID",
    "PgType",
    "column_type",
    "column_type_name",
    "display_name",
    "EnumKey",
    "enum_key",
    "enum_types",
    "lookup",
    "oid_for_field",
    "type_name",
    "with_enum_types",
    "typmod_for_field",
]
