"""Types of unknown-typed parameters ($n sent with OID 0) from the statement around them.

psycopg sends Python strings, and SQLAlchemy's pgvector type sends vectors, as
OID 0. PostgreSQL types such a parameter from its context; the engine plans result
columns, not parameter types, so this covers the contexts clients rely on:
``INSERT INTO t [(cols)] VALUES ($1, ...)`` and ``UPDATE t SET col = $1``,
comparisons ``col = $1``, distances ``col <-> $1`` (pgvector's operators), and casts
``$1::type``.
"""
from __future__ import annotations

from typing import Callable

import pyarrow as pa
from sqlglot import exp

from ..errors import ProgrammingError
from ..sql.dialect import VECTOR_OPERATORS
from ..sql.params import parse_statements
from ..sql.types import arrow_type

SchemaOf = Callable[[str], "pa.Schema | None"]


def _param_index(node: exp.Expression) -> int | None:
    if isinstance(node, exp.Parameter) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return int(node.this.this)
    return None


def column_params(sql: str, schema_of: SchemaOf) -> dict[int, pa.Field]:
    """1-based parameter number -> the type it is cast to, or the column it is written to, compared with
    or measured against."""
    try:
        parsed = parse_statements(sql)
    except ProgrammingError:
        return {}
    if len(parsed) != 1:
        return {}
    tree = parsed[0]
    if not isinstance(tree, (exp.Insert, exp.Update, exp.Select, exp.Delete)):
        return {}
    found = _cast_params(tree)
    table = tree.find(exp.Table)
    schema = schema_of(table.name) if table is not None else None
    if schema is None:
        return found
    fields = {f.name: f for f in schema}
    if isinstance(tree, exp.Insert) and isinstance(tree.expression, exp.Values):
        names = [c.name for c in tree.this.expressions] if isinstance(tree.this, exp.Schema) else list(fields)
        for row in tree.expression.expressions:
            for name, value in zip(names, row.expressions if isinstance(row, exp.Tuple) else [row]):
                index = _param_index(value)
                if index is not None and name in fields:
                    found.setdefault(index, fields[name])
    for cmp in tree.find_all(exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, *VECTOR_OPERATORS):
        left, right = cmp.this, cmp.expression
        for column, value in ((left, right), (right, left)):
            index = _param_index(value)
            if index is not None and isinstance(column, exp.Column) and column.name in fields:
                found.setdefault(index, fields[column.name])
    return found


def _cast_params(tree: exp.Expression) -> dict[int, pa.Field]:
    found: dict[int, pa.Field] = {}
    for cast in tree.find_all(exp.Cast):
        index = _param_index(cast.this)
        if index is None:
            continue
        try:
            dtype, metadata = arrow_type(cast.to)
        except ProgrammingError:
            continue
        found.setdefault(index, pa.field(f"${index}", dtype, metadata=metadata or None))
    return found
