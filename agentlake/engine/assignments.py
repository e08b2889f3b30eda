"""The SET lists of UPDATE and INSERT ... ON CONFLICT DO UPDATE, read as PostgreSQL reads them.

``SET (a, b) = (x, y)`` assigns each column its value, and ``SET (a, b) = (SELECT x, y ...)`` each
its item of the query's row; a column assigned twice (``SET n = 'a',
n = 'b'``, or within and beside a column list) is 42601, as PostgreSQL refuses it, instead of
the last assignment silently winning. INSERT's column list naming a column twice is 42701.
"""

from __future__ import annotations

from collections import Counter

import pyarrow as pa
from sqlglot import exp

from ..errors import NotSupportedError, ProgrammingError
from ..pgcatalog.types import display_name, oid_for_field
from ..sql.rules.jsonb_operators import written_subscript
from ..sql.rules.postgres_spellings import is_volatile
from ..sql.trees import wrap
from ..sql.types import TYPE_KEY


def set_list(
    expressions: list[exp.Expression], relation: str, schema: pa.Schema, alias: str
) -> dict[str, exp.Expression]:
    """Column -> the value node it is set to. Each value is wrapped in parentheses in place, so a
    typed rewrite that replaces a whole value (a tensor's ``a * 10``) replaces it inside the
    statement the caller makes SQL from. Unknown columns are 42703, repeated ones 42601. An element
    (``SET doc['a']['b'] = '1'``, ``SET tags[2] = 'x'``) sets the whole column to the value with it
    set (the target's column read by ``alias``)."""
    columns = schema.names
    pairs: list[tuple[str, exp.Expression]] = []
    for assignment in expressions:
        targets, values = assignment.this, assignment.expression
        if isinstance(targets, exp.Bracket):
            pairs.append(_element_assignment(targets, _parenthesized(values), relation, schema, alias))
            continue
        if isinstance(targets, exp.Paren):  # SET (a) = ...: a list of one column
            targets = exp.Tuple(expressions=[targets.this])
        if not isinstance(targets, exp.Tuple):
            pairs.append((targets.name, _parenthesized(values)))
            continue
        is_row = isinstance(values, exp.Tuple) or (isinstance(values, exp.Anonymous) and values.name.upper() == "ROW")
        items = list(values.expressions) if is_row else _row_subquery(values)
        if len(targets.expressions) != len(items):
            raise ProgrammingError("number of columns does not match number of values", sqlstate="42601")
        pairs += [(t.name, _parenthesized(v)) for t, v in zip(targets.expressions, items)]
    unknown = next((name for name, _ in pairs if name not in columns), None)
    if unknown is not None:
        raise ProgrammingError(f'column "{unknown}" of relation "{relation}" does not exist', sqlstate="42703")
    repeated = _first_repeated([name for name, _ in pairs])
    if repeated is not None:
        raise ProgrammingError(f'multiple assignments to same column "{repeated}"', sqlstate="42601")
    return dict(pairs)


def _row_subquery(values: exp.Expression) -> list[exp.Expression]:
    """``SET (a, b) = (SELECT x, y FROM ...)``: a scalar subquery per column, each the query keeping
    one of its select items (more than one row is 21000 from each, none NULL for each, as from
    PostgreSQL's one row). A query whose items are not listed one by one (``*``, a set operation),
    or that calls a volatile function, whose copies could answer differently, is 0A000."""
    query = values.this if isinstance(values, (exp.Subquery, exp.Paren)) else None
    if not isinstance(query, exp.Query):
        raise NotSupportedError(
            "source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression", sqlstate="0A000"
        )
    if (
        not isinstance(query, exp.Select)
        or any(isinstance(item.unalias(), exp.Star) or item.find(exp.Star) for item in query.expressions)
        or is_volatile(query)
    ):
        raise NotSupportedError(
            "SET (column, ...) takes a list of values, or a sub-SELECT listing its items without a volatile function"
        )
    columns = []
    for item in query.expressions:
        single = query.copy()
        single.set("expressions", [item.copy()])
        columns.append(exp.Subquery(this=single))
    return columns


def _element_assignment(
    target: exp.Bracket, value: exp.Expression, relation: str, schema: pa.Schema, alias: str
) -> tuple[str, exp.Expression]:
    """``doc['a'][0] = v``: the column, and its document with ``v`` set at that path, as PostgreSQL's
    jsonb subscript assignment sets it: missing keys are added (objects created on the way, a NULL
    document read as empty); an array's element (:func:`_array_with`)."""
    path: list[exp.Expression] = []
    node: exp.Expression = target
    while isinstance(node, exp.Bracket):
        path.insert(0, node.expressions[0] if len(node.expressions) == 1 else exp.Slice())
        node = node.this
    name = node.name if isinstance(node, exp.Column) else ""
    if name not in schema.names:
        raise ProgrammingError(f'column "{name}" of relation "{relation}" does not exist', sqlstate="42703")
    field, column = schema.field(name), exp.column(name, table=alias)
    if (field.metadata or {}).get(TYPE_KEY) == b"jsonb":
        if any(isinstance(key, exp.Slice) for key in path):
            raise ProgrammingError("jsonb subscript does not support slices", sqlstate="42804")
        return name, exp.Paren(this=_set_at(column, path, value))  # a root the rewrites can replace
    if pa.types.is_list(field.type) and not (field.metadata or {}).get(TYPE_KEY) and len(path) == 1:
        return name, exp.Paren(this=_array_with(column, field, path[0], value))
    raise NotSupportedError(
        f'assigning to an element of column "{name}" is not supported: assign the whole value', sqlstate="0A000"
    )


def _array_with(array: exp.Expression, field: pa.Field, subscript: exp.Expression, value: exp.Expression):
    """``a[i] = v`` of a one-dimensional array: the elements before ``i`` (padded with NULLs past
    the end, as PostgreSQL extends an array), ``v``, then the rest. Arrays here start at 1, so the
    subscript must be a constant (or a bound parameter) of at least 1 (0A000 otherwise); a NULL or
    empty array becomes ``{v}``, where PostgreSQL would start it at ``i`` (and clients read ``{v}``)."""
    index = written_subscript(subscript.copy())
    if isinstance(index, exp.Slice) or not (isinstance(index, exp.Literal) and index.is_int and int(index.this) >= 1):
        raise NotSupportedError(
            "assigning to an array element takes a constant subscript of at least 1 here", sqlstate="0A000"
        )
    at = int(index.this)
    element = display_name(oid_for_field(pa.field("element", field.type.value_type)))
    length = exp.Cast(
        this=exp.Anonymous(this="cardinality", expressions=[array.copy()]), to=exp.DataType.build("BIGINT")
    )
    parts = [
        exp.Anonymous(
            this="make_array", expressions=[exp.Cast(this=value, to=exp.DataType.build(element, dialect="postgres"))]
        )
    ]
    if at > 1:  # an empty array, like a NULL one, gets no padding: PostgreSQL would start it at ``at``
        before = exp.Anonymous(
            this="array_slice", expressions=[array.copy(), exp.Literal.number(1), exp.Literal.number(at - 1)]
        )
        padded = exp.Anonymous(this="array_resize", expressions=[before, exp.Literal.number(at - 1)])
        filled = exp.GT(this=length.copy(), expression=exp.Literal.number(0))
        parts.insert(0, exp.Case(ifs=[exp.If(this=filled, true=padded)]))
    parts.append(exp.Anonymous(this="array_slice", expressions=[array.copy(), exp.Literal.number(at + 1), length]))
    return exp.Anonymous(this="array_concat", expressions=parts)


def _set_at(document: exp.Expression, path: list[exp.Expression], value: exp.Expression) -> exp.Expression:
    """``document`` with ``value`` at ``path`` (keys as sqlglot read them), one jsonb_set per level."""
    key = written_subscript(path[0].copy())
    if len(path) > 1:
        value = _set_at(exp.Anonymous(this="json_get", expressions=[document.copy(), key.copy()]), path[1:], value)
    numbered = not (isinstance(key, exp.Literal) and key.is_string)  # doc[0]: an array is made where none is
    base = exp.Coalesce(this=document.copy(), expressions=[exp.Literal.string("[]" if numbered else "{}")])
    return exp.Anonymous(this="jsonb_set", expressions=[base, exp.Array(expressions=[key]), value, exp.true()])


def refuse_repeated_insert_columns(columns: list[str]) -> None:
    """INSERT INTO t (a, a) ...: 42701, as PostgreSQL refuses it."""
    repeated = _first_repeated(columns)
    if repeated is not None:
        raise ProgrammingError(f'column "{repeated}" specified more than once', sqlstate="42701")


def _parenthesized(value: exp.Expression) -> exp.Expression:
    return wrap(value, exp.Paren())


def _first_repeated(names: list[str]) -> str | None:
    counts = Counter(names)
    return next((name for name in names if counts[name] > 1), None)
