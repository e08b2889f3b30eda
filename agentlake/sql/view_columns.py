"""The columns of a view that are its relations' columns, as results type them.

DataFusion answers a query over a view with plain Arrow types, so what the catalog knows of a
column (jsonb, uuid, an enum type, an unconstrained numeric) is lost unless a view's columns lead
back to it. A view's select items that name a column (``j``, ``t.j AS doc``, ``*``, ``t.*``) keep
that column's field under the view's name for it; a computed item is kept where it makes JSON
(``body -> 'a'``); other computed items are left out (their type comes from the expression, as in
any query).
"""

from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from .column_types import SchemaOf
from .field_tags import TYPE_KEY
from .jsonb_types import JsonTypes
from .params import parse_statements


def view_schema(sql: str, schema_of: SchemaOf) -> pa.Schema:
    """The view's column-naming items, typed by ``schema_of`` (which may itself read views)."""
    query = parse_statements(sql)[0]
    while isinstance(query, exp.SetOperation):  # a UNION's columns are named and typed by its first query
        query = query.this
    if not isinstance(query, exp.Select):
        return pa.schema([])
    sources = _sources(query, schema_of)
    json_types = JsonTypes(query, schema_of).outputs(query, named=True) or {}
    fields: list[pa.Field] = []
    for item in query.expressions:
        value = item.unalias()
        if isinstance(value, exp.Star):
            fields += [f for schema in sources.values() for f in schema]
        elif isinstance(value, exp.Column) and isinstance(value.this, exp.Star):
            fields += list(sources.get(value.table, pa.schema([])))
        elif isinstance(value, exp.Column):
            found = _field(sources, value)
            if found is not None:
                fields.append(found.with_name(item.alias_or_name))
        elif item.alias_or_name in json_types:
            fields.append(
                pa.field(item.alias_or_name, pa.string(), metadata={TYPE_KEY: json_types[item.alias_or_name].encode()})
            )
    return pa.schema(fields)


def _sources(query: exp.Select, schema_of: SchemaOf) -> dict[str, pa.Schema]:
    """The relations a select reads, by the name the query calls each (its alias or its name)."""
    tables = [query.args.get("from_"), *(query.args.get("joins") or [])]
    out = {}
    for part in tables:
        table = part.this if part is not None else None
        if isinstance(table, exp.Table):
            schema = schema_of(table.name)
            if schema is not None:
                out[table.alias_or_name] = schema
    return out


def _field(sources: dict[str, pa.Schema], column: exp.Column) -> pa.Field | None:
    candidates = [sources[column.table]] if column.table in sources else list(sources.values())
    for schema in candidates:
        index = schema.get_field_index(column.name)
        if index >= 0:
            return schema.field(index)
    return None
