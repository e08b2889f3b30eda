"""Which columns a statement names are of a given type, as the catalog knows it.

Some SQL means different things for different column types, and only the catalog (not
the text, not DataFusion's rewrite rules) knows a column's type; the rewrites that need
it ask here, by the names the statement reads each table under.
"""

from __future__ import annotations

from typing import Callable

import pyarrow as pa
from sqlglot import exp

SchemaOf = Callable[[str], "pa.Schema | None"]
"""A table's schema by name (None: no such table)."""

Columns = dict[str, set[str]]
"""Qualifier (a table's name, its alias, or "" for unqualified references) -> column names."""


def columns_of_type(tree: exp.Expression, schema_of: SchemaOf, is_type: Callable[[pa.DataType], bool]) -> Columns:
    """The columns whose type passes ``is_type`` of the tables that ``tree``'s statement reads
    (``tree`` may be a part of it, such as its WHERE clause)."""
    return {
        qualifier: {name for name, f in fields.items() if is_type(f.type)}
        for qualifier, fields in column_fields(tree, schema_of).items()
    }


def column_fields(tree: exp.Expression, schema_of: SchemaOf) -> dict[str, dict[str, pa.Field]]:
    """Qualifier -> column name -> field, for the tables that ``tree``'s statement reads."""
    out: dict[str, dict[str, pa.Field]] = {"": {}}
    for table in tree.root().find_all(exp.Table):
        schema = schema_of(table.name)
        if schema is None:
            continue
        for qualifier in {table.name, table.alias_or_name, ""}:
            out.setdefault(qualifier, {}).update({f.name: f for f in schema})
    return out


def is_column_in(node: exp.Expression, columns: Columns) -> bool:
    while isinstance(node, exp.Paren):
        node = node.this
    return isinstance(node, exp.Column) and node.name in columns.get(node.table, ())
