"""Output column names as PostgreSQL gives them (``count``, ``?column?``), not DataFusion's ``count(*)``.

Clients read rows by column name, so ``SELECT count(*) FROM t`` must answer a
column called ``count``. Duplicate names get a numeric suffix, since DataFusion
refuses two outputs with one name.
"""

from __future__ import annotations

from sqlglot import exp

from ..dialect import WRITTEN_NAME
from ..types import internal_type_name

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
    exp.ArrayOverlaps,
    exp.Connector,  # AND, OR
)
"""Operators sqlglot reads as functions (``->``, ``@>``, ``?``): PostgreSQL names them ``?column?``."""
_SPELLED_AS_OPERATORS = (exp.Pow, exp.RegexpLike, exp.RegexpILike, exp.StartsWith)
"""Functions sqlglot also reads from an operator (``^``, ``~``, ``~*``, ``^@``), named ``?column?``
when the statement wrote the operator (no written function name)."""


def pg_name(node: exp.Expression) -> str:
    if PG_NAME in node.meta:
        return node.meta[PG_NAME]
    if isinstance(node, (exp.Paren, exp.Bracket)):
        return pg_name(node.this)  # (x) is named x, and so is x[1]
    if isinstance(node, (exp.Window, exp.WithinGroup, exp.Filter)):
        return pg_name(node.this)  # row_number() OVER (...) is named row_number, and so on
    if isinstance(node, exp.Case):  # a function to sqlglot, and its parser's
        return _case_name(node.args.get("default"))
    written = node.meta.get(WRITTEN_NAME)
    if written is not None and not isinstance(node, (exp.Cast, exp.TryCast)):
        return _TRIM_NAMES.get(str(node.args.get("position") or "").upper(), "btrim") if written == "trim" else written
    if isinstance(node, _OPERATORS) or (isinstance(node, _SPELLED_AS_OPERATORS) and written is None):
        return "?column?"  # x ^ 2, not power(x, 2); s ~ 'b', not regexp_like(s, 'b')
    if isinstance(node, exp.Column):
        return node.name
    if isinstance(node, exp.Cast):
        return _cast_name(node.this, internal_type_name(node.to.sql(dialect="postgres")))
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        return (
            _cast_name(node.expressions[0], "text") if name == "vector_to_text" else _VECTOR_SPELLINGS.get(name, name)
        )
    if isinstance(node, (exp.Explode, exp.Unnest)):
        return "unnest"  # sqlglot reads PostgreSQL's unnest() as its Explode
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    if isinstance(node, exp.Interval):
        return "interval"  # interval '90 minutes' is a typed constant, named by its type
    if isinstance(node, exp.AtTimeZone):
        return "timezone"  # the function PostgreSQL runs it as
    if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select) and len(node.this.expressions) == 1:
        inner = node.this.expressions[0]  # a scalar subquery is named after its one output column
        return inner.alias if isinstance(inner, exp.Alias) else pg_name(inner)
    if isinstance(node, exp.Exists):
        return "exists"
    if isinstance(node, exp.Tuple):
        return "row"  # (a, b) is ROW(a, b)
    return "?column?"


def _case_name(default: exp.Expression | None) -> str:
    """A CASE is named after its ELSE value when that has a name of its own (``CASE ... ELSE a END``
    is "a"), else "case": PostgreSQL's FigureColname gives a cast of a constant only its type's weak
    name, which CASE does not take."""
    inner = default
    while isinstance(inner, (exp.Cast, exp.Paren)) and PG_NAME not in inner.meta:
        inner = inner.this
    if inner is None or isinstance(inner, (exp.Literal, exp.Interval)) or pg_name(inner) == "?column?":
        return "case"
    return pg_name(default)


_TRIM_NAMES = {"LEADING": "ltrim", "TRAILING": "rtrim"}
"""TRIM(...) is named after the function PostgreSQL turns it into: btrim, ltrim or rtrim."""


def _cast_name(inner: exp.Expression, type_name: str) -> str:
    """A cast is named by its operand when that has a name of its own (a column, a function, ARRAY[]),
    however deep in casts, else by its outermost type, as in PostgreSQL's FigureColname."""
    while isinstance(inner, (exp.Cast, exp.Paren)) and PG_NAME not in inner.meta:  # a rewrite's cast keeps its name
        inner = inner.this
    name = "?column?" if isinstance(inner, (exp.Literal, exp.Interval)) else pg_name(inner)
    return name if name != "?column?" else type_name


DUPLICATE_MARK = "\ue000"
"""Joins a repeated output name to its ordinal (``a``, ``a\ue0001``): PostgreSQL lets two output
columns share a name, DataFusion refuses it. A private-use character no client writes; it is cut off
again (``output_name``) before results leave the engine."""


def output_name(name: str) -> str:
    """The name PostgreSQL gives an output column that ``pg_column_names`` may have marked."""
    return name.split(DUPLICATE_MARK, 1)[0]


def output_labels(items: list[exp.Expression]) -> list[str | None]:
    """The label of each output item: its alias or PostgreSQL's name for it, with repeats of a
    name told apart by DUPLICATE_MARK (DataFusion wants unique names; the mark comes off as results
    are sent); None for a star."""
    stars = [isinstance(n, exp.Star) or (isinstance(n, exp.Column) and isinstance(n.this, exp.Star)) for n in items]
    seen: dict[str, int] = {}
    labels: list[str | None] = []
    for index, (node, star) in enumerate(zip(items, stars)):
        if star:
            labels.append(None)
            continue
        name = node.alias if isinstance(node, exp.Alias) else pg_name(node)
        count = seen.get(name, 0)
        seen[name] = count + 1
        if any(stars):  # SELECT *, x: x may be a name the star gives too
            labels.append(f"{name}{DUPLICATE_MARK}c{index}")
        else:
            labels.append(f"{name}{DUPLICATE_MARK}{count}" if count else name)
    return labels


def pg_column_names(tree: exp.Expression) -> exp.Expression:
    """Output items labelled with PostgreSQL's names: the statement's, and those of every select
    inside it without a star, so a derived table or a CTE has PostgreSQL's column names too
    (``SELECT s.count FROM (SELECT count(*) FROM t) s``; DataFusion named it ``count(*)``, and two
    items of one name, ``(SELECT 1, 1) s``, failed its unique-name rule)."""
    if isinstance(tree, exp.Select):
        _label(tree, output_labels(tree.expressions))
    for select in list(tree.find_all(exp.Select)):
        if select is tree:
            continue
        labels = output_labels(select.expressions)
        if None not in labels:  # a nested select with a star keeps DataFusion's names
            _label(select, labels)
    return tree


def _label(select: exp.Select, labels: list[str | None]) -> None:
    for index, (node, name) in enumerate(zip(list(select.expressions), labels)):
        if name is None or (
            not isinstance(node, (exp.Alias, exp.Window)) and node.args.get("alias") is not None
        ):  # a window's "alias" is the named window it reads (OVER w)
            continue  # a star, or an item naming itself (a rewrite's ``UNNEST(...) AS "v"``)
        renamed = name != (node.alias if isinstance(node, exp.Alias) else pg_name(node))
        label = exp.to_identifier(name, quoted=True)
        if isinstance(node, exp.Alias):
            if renamed:
                node.set("alias", label)
        elif renamed or not isinstance(node, exp.Column):
            select.set("expressions", exp.Alias(this=node.copy(), alias=label), index)
