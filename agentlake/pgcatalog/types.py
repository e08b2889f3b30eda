"""PostgreSQL types as catalogs and the wire name them.

The one table of types (OIDs, lengths, categories, array types) is the SQL front
end's (``agentlake.sql.types``); this module adds the names PostgreSQL prints,
lookups by any of its spellings, and the OIDs values and columns are sent as.
"""

from __future__ import annotations

import pyarrow as pa

from agentlake.results import is_unconstrained_numeric
from agentlake.sql.types import (
    BY_NAME,
    BY_OID,
    DIM_KEY,
    HALFVEC_OID,
    INTERNAL_NAMES,
    SPARSEVEC_OID,
    SQL_NAMES,
    TYPES,
    VECTOR_ARRAY_OID,
    VECTOR_OID,
    PgType,
    pg_type,
)


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
            text = text[len(prefix) :]
    if text.endswith("[]"):
        base = lookup(text[:-2])
        return BY_OID.get(base.array_oid) if base and base.array_oid else None
    text = text.split("(")[0].strip()
    return BY_NAME.get(INTERNAL_NAMES.get(text, text))


def oid_for_field(field: pa.Field) -> int:
    """RowDescription's type for a result column: the SQL front end's Arrow -> PostgreSQL mapping."""
    return pg_type(field).oid


VARCHAR_OID = 1043


def column_type_oid(field: pa.Field, has_length: bool) -> int:
    """A table column's type in pg_attribute: varchar(n) and char(n) columns are text in Arrow, their
    length kept by the manifest (``has_length``), and report as varchar."""
    return VARCHAR_OID if has_length else oid_for_field(field)


def column_type_name(field: pa.Field, has_length: bool) -> str:
    """A table column's type as format_type prints it without modifiers (``character varying``):
    how PostgreSQL labels a constant coerced to it."""
    return display_name(column_type_oid(field, has_length)) or "text"


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
    "column_type_name",
    "column_type_oid",
    "display_name",
    "lookup",
    "oid_for_field",
    "typmod_for_field",
]
