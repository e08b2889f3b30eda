"""Whole-row references: a FROM item's name used as a value (``row_to_json(t)``, ``to_jsonb(t)``,
``jsonb_agg(t ORDER BY t.id)``, ``t.*`` as an argument), as PostgreSQL allows.

DataFusion has no such value, so the JSON rewrite asks here for the row's fields: each column of
the FROM item, in its order, as a qualified column reference. As in PostgreSQL, a plain name is a
column when some FROM item of its query (or of an enclosing one) has a column of that name; only
otherwise is it the row of the FROM item so named.
"""

from __future__ import annotations

from sqlglot import exp

from .column_types import SchemaOf

RowFields = list[tuple[str, exp.Column]]


def whole_row(node: exp.Expression, schema_of: SchemaOf) -> RowFields | None:
    """The (name, column reference) fields of the row ``node`` names, or None when it names none
    (or its columns cannot be known)."""
    if not isinstance(node, exp.Column) or node.args.get("db") or node.args.get("catalog"):
        return None
    star = isinstance(node.this, exp.Star)
    name = node.table if star else node.name
    if not name or (not star and node.table):
        return None
    select = node.find_ancestor(exp.Select)
    while select is not None:
        items = {_item_name(item): item for item in _from_items(select)}
        columns = {alias: _item_columns(item, schema_of) for alias, item in items.items()}
        if not star and any(cols is None or name in cols for cols in columns.values()):
            return None  # a column of that name (or a FROM item whose columns are unknown) comes first
        if name in items:
            cols = columns[name]
            if cols is None:
                return None
            qualifier = exp.to_identifier(name, quoted=True)
            return [(col, exp.Column(this=exp.to_identifier(col, quoted=True), table=qualifier.copy())) for col in cols]
        select = select.find_ancestor(exp.Select)
    return None


def source_expression(
    column: exp.Column, select: exp.Select | None, schema_of: SchemaOf
) -> tuple[exp.Expression, exp.Select] | None:
    """The expression a qualified column of a subquery or CTE in ``select``'s FROM reads (``s.tags``
    of ``(SELECT tags FROM t) s``, or of ``(SELECT * FROM t) s``), with the query it is read in, so
    that what is known of it (an array) is known of the column."""
    if not column.table or select is None:
        return None
    item = next((i for i in _from_items(select) if _item_name(i) == column.table), None)
    cte = _cte(item) if isinstance(item, exp.Table) else None
    query = item.this if isinstance(item, exp.Subquery) else cte.this if cte is not None else None
    while isinstance(query, exp.Subquery):
        query = query.this
    if isinstance(query, exp.SetOperation):
        query = query.this
    if not isinstance(query, exp.Select):
        return None
    for projection in query.expressions:
        if isinstance(projection, exp.Star):
            for inner in _from_items(query):
                if column.name in (_item_columns(inner, schema_of) or ()):
                    return exp.column(column.name, table=_item_name(inner)), query
        elif projection.alias_or_name == column.name:
            return projection.unalias(), query
    return None


def _from_items(select: exp.Select) -> list[exp.Expression]:
    first = select.args.get("from_") or select.args.get("from")
    return ([first.this] if first is not None else []) + [join.this for join in select.args.get("joins") or []]


def _item_name(item: exp.Expression) -> str:
    return item.alias_or_name


def _item_columns(item: exp.Expression, schema_of: SchemaOf) -> list[str] | None:
    """A FROM item's column names in order: a table's, a CTE's or a subquery's outputs."""
    alias = item.args.get("alias")
    if isinstance(alias, exp.TableAlias) and alias.columns:
        return [c.name for c in alias.columns]
    if isinstance(item, exp.Table):
        cte = _cte(item)
        if cte is not None:
            return _query_columns(cte.this, schema_of)
        schema = schema_of(item.name)
        return None if schema is None else list(schema.names)
    if isinstance(item, exp.Subquery):
        return _query_columns(item.this, schema_of)
    return None


def _cte(table: exp.Table) -> exp.CTE | None:
    if table.args.get("db"):
        return None
    scope = table.parent
    while scope is not None:
        with_ = scope.args.get("with_") or scope.args.get("with") if isinstance(scope, exp.Query) else None
        if with_ is not None:
            for cte in with_.expressions:
                if cte.alias_or_name == table.name:
                    return cte
        scope = scope.parent
    return None


def _query_columns(query: exp.Expression, schema_of: SchemaOf) -> list[str] | None:
    while isinstance(query, exp.Subquery):
        query = query.this
    if isinstance(query, exp.SetOperation):
        return _query_columns(query.this, schema_of)
    if not isinstance(query, exp.Select):
        return None
    names: list[str] = []
    for projection in query.expressions:
        if isinstance(projection, exp.Star) or (
            isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
        ):
            covered = [
                item
                for item in _from_items(query)
                if not isinstance(projection, exp.Column) or _item_name(item) == projection.table
            ]
            for item in covered:
                columns = _item_columns(item, schema_of)
                if columns is None:
                    return None
                names.extend(columns)
        elif projection.alias_or_name:
            names.append(projection.alias_or_name)
        else:
            return None  # ?column? names: PostgreSQL's, not known here
    return names
