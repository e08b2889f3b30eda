"""Which columns a statement names are of a given type, as the catalog knows it.

Some SQL means different things for different column types, and only the catalog (not
the text, not DataFusion's rewrite rules) knows a column's type; the rewrites that need
it ask here, by the names the statement reads each table under.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Callable

import pyarrow as pa
from sqlglot import exp

from ..errors import Error
from .literals import int4_constant
from .types import arrow_type

SchemaOf = Callable[[str], "pa.Schema | None"]
"""A table's schema by name (None: no such table)."""

Fields = dict[str, dict[str, pa.Field]]
"""Qualifier -> column name -> field."""

Columns = dict[str, set[str]]
"""Qualifier (a table's name, its alias, or "" for unqualified references) -> column names."""


def columns_of_type(tree: exp.Expression, schema_of: SchemaOf, is_type: Callable[[pa.DataType], bool]) -> Columns:
    """The columns whose type passes ``is_type`` of the tables that ``tree``'s statement reads
    (``tree`` may be a part of it, such as its WHERE clause)."""
    return {
        qualifier: {name for name, f in fields.items() if is_type(f.type)}
        for qualifier, fields in column_fields(tree, schema_of).items()
    }


def column_fields(tree: exp.Expression, schema_of: SchemaOf) -> Fields:
    """Qualifier -> column name -> field, for the tables that ``tree``'s statement reads, and for
    the columns of its derived tables (subqueries, CTEs, VALUES lists, ``unnest`` and
    ``generate_series`` in FROM) whose type is plain from their text: ``avg(x)`` over ``(SELECT n
    AS x FROM t) s`` averages an integer, as it does over ``t.n``."""
    nodes = list(tree.root().find_all(exp.Table, *_DERIVED, bfs=False))  # one walk, in document order
    tables = [node for node in nodes if isinstance(node, exp.Table)]
    out: Fields = {"": {}}
    for table in tables:
        schema = schema_of(table.name)
        if schema is None:
            continue
        for qualifier in {table.name, table.alias_or_name, ""}:
            out.setdefault(qualifier, {}).update({f.name: f for f in schema})
    derived = [node for node in reversed(nodes) if not isinstance(node, exp.Table) or node.alias]
    for _ in range(2 if derived else 0):  # innermost first; a second pass for what reads a later one
        for node in derived:
            _add_derived(node, tables, out)
    return out


_DERIVED = (exp.Subquery, exp.CTE, exp.Values, exp.Unnest)
"""What may name a derived table's columns (besides a table function in FROM: generate_series)."""


def _add_derived(node: exp.Expression, tables: list[exp.Table], out: Fields) -> None:
    """Add the typed columns of the derived table ``node`` to ``out``: under its alias, the aliases
    it is read under (a CTE's) and, where not taken, unqualified."""
    columns = _derived_columns(node, out)
    if not columns:
        return
    name = node.alias_or_name if isinstance(node, exp.CTE) else node.alias
    qualifiers = {name}
    if isinstance(node, exp.CTE):
        qualifiers |= {t.alias_or_name for t in tables if t.name == name and not t.db}
    for qualifier in qualifiers:
        out.setdefault(qualifier, {}).update(columns)
    for column, field in columns.items():
        out[""].setdefault(column, field)


def _derived_columns(node: exp.Expression, fields: Fields) -> dict[str, pa.Field]:
    """Column name -> field for the columns of the derived table ``node`` whose type is known."""
    alias = node.args.get("alias")
    if not isinstance(alias, exp.TableAlias) or not alias.name:
        return {}
    renamed = [c.name for c in alias.columns]
    if isinstance(node, (exp.Subquery, exp.CTE)):
        select = node.this
        while isinstance(select, exp.SetOperation):
            select = select.this
        if not isinstance(select, exp.Select):
            return {}
        items = [(item.alias_or_name, _static_type(item.unalias(), fields)) for item in select.expressions]
    elif isinstance(node, exp.Values):
        rows = [row.expressions for row in node.expressions if isinstance(row, exp.Tuple)]
        if not rows or len({len(r) for r in rows}) != 1:
            return {}
        items = [(f"column{i + 1}", _common(column, fields)) for i, column in enumerate(zip(*rows))]
    elif isinstance(node, exp.Unnest) and len(node.expressions) == 1 and isinstance(node.expressions[0], exp.Array):
        items = [(alias.name, _common(node.expressions[0].expressions, fields))]
    elif isinstance(node, exp.Table) and isinstance(node.this, (exp.ExplodingGenerateSeries, exp.GenerateSeries)):
        bounds = [node.this.args.get("start"), node.this.args.get("end")]
        items = [(alias.name, _common([b for b in bounds if b is not None], fields))]
    else:
        return {}
    out = {}
    for i, (name, field) in enumerate(items):
        name = renamed[i] if i < len(renamed) else name
        if field is not None:
            out[name] = field.with_name(name)
    return out


def _common(values: Sequence[exp.Expression], fields: Fields) -> pa.Field | None:
    """The field of a column of ``values`` (a VALUES column, an ARRAY's elements, a series' bounds)
    when each of them (NULLs aside) has a known type: their one type, or for numbers of several, the
    one PostgreSQL resolves them to (the widest integer; a float if any is one; else numeric)."""
    typed = [_static_type(v, fields) for v in values if not isinstance(v, exp.Null)]
    if not typed or any(t is None for t in typed):
        return None
    kinds = {t.type for t in typed}
    if len(kinds) == 1:
        return typed[0]
    if all(pa.types.is_integer(k) for k in kinds):
        return max(typed, key=lambda t: t.type.bit_width)
    if all(pa.types.is_integer(k) or pa.types.is_floating(k) or pa.types.is_decimal(k) for k in kinds):
        floats = [t for t in typed if pa.types.is_floating(t.type)]
        if floats:
            return pa.field("value", pa.float64())
        kind, metadata = arrow_type(exp.DataType.build("DECIMAL"))
        return pa.field("value", kind, metadata=metadata)
    return None


def _static_type(value: exp.Expression, fields: Fields) -> pa.Field | None:
    """The field a derived column of ``value`` has, when its text says: a column of a table (or of
    another derived table), a cast, a number constant, integer arithmetic or ``unnest`` of an ARRAY."""
    while isinstance(value, exp.Paren):
        value = value.this
    if isinstance(value, exp.Explode) and isinstance(value.this, exp.Array):
        return _common(value.this.expressions, fields)
    if isinstance(value, _INTEGER_ARITHMETIC):
        sides = [_static_type(side, fields) for side in (value.this, value.expression)]
        if all(side is not None and pa.types.is_integer(side.type) for side in sides):
            return max(sides, key=lambda side: side.type.bit_width)  # int4 * int8 is an int8
        return None
    if isinstance(value, exp.Column):
        return fields.get(value.table, {}).get(value.name)
    if isinstance(value, exp.Cast):
        try:
            kind, metadata = arrow_type(value.to)
        except Error:  # a type this cannot build without the branch (an enum): left unknown
            return None
        return pa.field("value", kind, metadata=metadata or None)
    if int4_constant(value):
        return pa.field("value", pa.int32())
    if isinstance(value, exp.Literal) and not value.is_string:  # 2.5 is an unconstrained numeric
        kind, metadata = arrow_type(exp.DataType.build("DECIMAL"))
        return pa.field("value", kind, metadata=metadata)
    return None


_INTEGER_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Mod)
"""Operations whose result, of two integers, is the wider one (``/`` is left out: it is rewritten
for PostgreSQL's integer division elsewhere, and of numerics picks its own scale)."""


def is_column_in(node: exp.Expression, columns: Columns) -> bool:
    while isinstance(node, exp.Paren):
        node = node.this
    return isinstance(node, exp.Column) and node.name in columns.get(node.table, ())
