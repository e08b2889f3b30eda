"""Which expressions of a statement are jsonb (or json), as PostgreSQL would type them.

jsonb is text to DataFusion, so what SQL means over it (``<`` and ORDER BY compare jsonb, not
text; ``||`` merges documents; a result column is sent as OID 3802) depends on knowing which
expressions are jsonb: jsonb columns (of the tables a statement reads, and of its subqueries),
casts to jsonb, ``->`` and ``#>``, and the functions that return jsonb.
"""

from __future__ import annotations

from sqlglot import exp

from .column_types import SchemaOf, column_fields
from .types import TYPE_KEY

JSONB, JSON = "jsonb", "json"
JSON_TYPE = "json_type"
"""Meta key of an expression a rewrite built whose JSON type it knows (a jsonb_each value column)."""

JSONB_FUNCTIONS = frozenset(
    {
        "jsonb_build_object",
        "jsonb_build_array",
        "jsonb_set",
        "to_jsonb",
        "jsonb_array_elements",
        "jsonb_extract_path",
        "jsonb_strip_nulls",
        "jsonb_agg",
        "jsonb_object_agg",
        "jsonb_insert",
        "jsonb_path_query_first",
        "jsonb_path_query_array",
        # agentlake's own, as the rewrite rules leave them
        "json_get",
        "json_get_path",
        "jsonb_in",
        "jsonb_concat",
        "jsonb_delete",
        "jsonb_delete_path",
    }
)
JSON_FUNCTIONS = frozenset(
    {
        "to_json",
        "row_to_json",
        "array_to_json",
        "json_agg",
        "json_object_agg",
        "json_build_object",
        "json_build_array",
        "json_strip_nulls",
    }
)
_PASS_THROUGH = (exp.Min, exp.Max, exp.AnyValue, exp.First, exp.FirstValue, exp.Coalesce, exp.Nullif)


class JsonTypes:
    """The JSON type of expressions in one statement, with the catalog's column types."""

    def __init__(self, tree: exp.Expression, schema_of: SchemaOf) -> None:
        self._columns: dict[str, dict[str, str]] = {
            qualifier: {
                name: f.metadata[TYPE_KEY].decode()
                for name, f in fields.items()
                if f.metadata and f.metadata.get(TYPE_KEY) in (b"jsonb", b"json")
            }
            for qualifier, fields in column_fields(tree, schema_of).items()
        }
        for source in tree.root().find_all(exp.Subquery, exp.CTE):
            alias = source.alias_or_name
            if alias and isinstance(source.this, exp.Query):
                self._columns.setdefault(alias, {}).update(self.outputs(source.this, named=True) or {})

    def of(self, node: exp.Expression | None) -> str | None:
        """ "jsonb", "json", or None (not JSON, or not known to be)."""
        while isinstance(node, (exp.Paren, exp.Alias)):
            node = node.this
        if node is not None and JSON_TYPE in node.meta:
            return node.meta[JSON_TYPE]
        if isinstance(node, exp.Column):
            return self._columns.get(node.table, {}).get(node.name)
        if isinstance(node, exp.Cast):
            return {exp.DataType.Type.JSONB: JSONB, exp.DataType.Type.JSON: JSON}.get(node.to.this)
        if isinstance(node, (exp.JSONExtract, exp.JSONBExtract)):
            return self.of(node.this) or JSONB
        if isinstance(node, exp.Bracket) and self.of(node.this) == JSONB:
            return JSONB
        if isinstance(node, (exp.DPipe, exp.Sub, exp.JSONBDeleteAtPath)):
            return JSONB if self.of(node.this) == JSONB else None
        if isinstance(node, (exp.Anonymous, exp.Func)) and _name(node) in JSONB_FUNCTIONS:
            return JSONB
        if isinstance(node, (exp.Anonymous, exp.Func)) and _name(node) in JSON_FUNCTIONS:
            return JSON
        if (
            isinstance(node, exp.Unnest)
            and len(node.expressions) == 1
            and _name(node.expressions[0]) == "jsonb_array_list"
        ):
            return JSONB
        if isinstance(node, _PASS_THROUGH):
            return self.of(node.this)
        if isinstance(node, exp.Case):
            return next(
                (
                    t
                    for t in map(self.of, [*(i.args.get("true") for i in node.args["ifs"]), node.args.get("default")])
                    if t
                ),
                None,
            )
        if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select) and len(node.this.expressions) == 1:
            return self.of(node.this.expressions[0])
        return None

    def outputs(self, query: exp.Expression, named: bool = False) -> dict | None:
        """The JSON types of a query's output columns, by position (or, with ``named``, by name);
        a ``*`` in the select list leaves positions unknown (None) and, by name, stands for the JSON
        columns of the FROM items it covers."""
        while isinstance(query, exp.Subquery):
            query = query.this
        if isinstance(query, exp.SetOperation):
            return self.outputs(query.this, named)
        if not isinstance(query, exp.Select):
            return {}
        found = {}
        for position, item in enumerate(query.expressions):
            if isinstance(item, exp.Star) or (isinstance(item, exp.Column) and isinstance(item.this, exp.Star)):
                if not named:
                    return None
                for qualifier in [item.table] if isinstance(item, exp.Column) else _from_names(query):
                    found.update(self._columns.get(qualifier, {}))
                continue
            json_type = self.of(item)
            if json_type:
                found[item.alias_or_name if named else position] = json_type
        return found


def _name(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    return node.sql_name().lower() if isinstance(node, exp.Func) else ""  # a column, a literal: no name


def _from_names(select: exp.Select) -> list[str]:
    """The names a query's FROM items are read under."""
    first = select.args.get("from_") or select.args.get("from")
    items = ([first.this] if first is not None else []) + [j.this for j in select.args.get("joins") or []]
    return [item.alias_or_name for item in items]
