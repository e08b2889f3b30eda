"""Output column names as PostgreSQL gives them (``count``, ``?column?``), not DataFusion's ``count(*)``.

Clients read rows by column name, so ``SELECT count(*) FROM t`` must answer a
column called ``count``. Duplicate names get a numeric suffix, since DataFusion
refuses two outputs with one name.
"""

from __future__ import annotations

from sqlglot import exp

_VECTOR_SPELLINGS = {
    "vector_avg": "avg",
    "vector_sum": "sum",
    "vector_add": "?column?",
    "vector_sub": "?column?",
    "vector_mul": "?column?",
}
"""Names of what a vector expression was written as (``avg(embedding)``, ``a + b``) before the
engine spelled it as a vector function."""


PG_NAME = "pg_name"
"""Meta key of a select item a typed rewrite replaced: the name PostgreSQL gives what was written."""


_OPERATORS = (
    exp.JSONExtract,
    exp.JSONExtractScalar,
    exp.JSONBExtract,
    exp.JSONBExtractScalar,
    exp.ArrayContainsAll,
    exp.ArrayContainedBy,
    exp.JSONBContainsTopKey,
    exp.JSONBContainsAnyTopKeys,
    exp.JSONBContainsAllTopKeys,
    exp.JSONBDeleteAtPath,
)
"""Operators sqlglot reads as functions (``->``, ``@>``, ``?``): PostgreSQL names them ``?column?``."""


def pg_name(node: exp.Expression) -> str:
    if PG_NAME in node.meta:
        return node.meta[PG_NAME]
    if isinstance(node, _OPERATORS):
        return "?column?"
    if isinstance(node, exp.Column):
        return node.name
    if isinstance(node, exp.Cast):
        return _cast_name(node.this, node.to.sql(dialect="postgres").lower().split("(")[0])
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        return (
            _cast_name(node.expressions[0], "text") if name == "vector_to_text" else _VECTOR_SPELLINGS.get(name, name)
        )
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    if isinstance(node, exp.Case):
        return "case"
    if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select) and len(node.this.expressions) == 1:
        inner = node.this.expressions[0]  # a scalar subquery is named after its one output column
        return inner.alias if isinstance(inner, exp.Alias) else pg_name(inner)
    if isinstance(node, exp.Exists):
        return "exists"
    return "?column?"


def _cast_name(inner: exp.Expression, type_name: str) -> str:
    """A cast is named by its operand when that has a name of its own (a column, a function, ARRAY[]),
    however deep in casts, else by its outermost type, as in PostgreSQL's FigureColname."""
    while isinstance(inner, exp.Cast):
        inner = inner.this
    name = "?column?" if isinstance(inner, exp.Literal) else pg_name(inner)
    return name if name != "?column?" else type_name


def pg_column_names(tree: exp.Expression) -> exp.Expression:
    if not isinstance(tree, exp.Select):
        return tree
    seen: dict[str, int] = {}
    for index, node in enumerate(list(tree.expressions)):
        if isinstance(node, (exp.Alias, exp.Star)) or (
            isinstance(node, exp.Column) and isinstance(node.this, exp.Star)
        ):
            name = node.alias if isinstance(node, exp.Alias) else None
        else:
            name = pg_name(node)
            if not isinstance(node, exp.Column):
                count = seen.get(name, 0)
                alias = exp.to_identifier(name if not count else f"{name}_{count}", quoted=True)
                tree.set("expressions", exp.Alias(this=node.copy(), alias=alias), index)
        if name:
            seen[name] = seen.get(name, 0) + 1
    return tree
