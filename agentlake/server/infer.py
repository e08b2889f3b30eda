"""Types of unknown-typed parameters ($n sent with OID 0) from the statement around them.

psycopg sends Python strings, and SQLAlchemy's pgvector type sends vectors, as
OID 0. PostgreSQL types such a parameter from its context; where the engine
cannot describe a statement, this covers the contexts that write columns:
``INSERT INTO t (cols) VALUES ($1, ...)`` and ``UPDATE t SET col = $1``, and
comparisons ``col = $1``.
"""
from __future__ import annotations

from typing import Callable

import pyarrow as pa
import sqlglot
from sqlglot import exp

SchemaOf = Callable[[str], "pa.Schema | None"]


def _param_index(node: exp.Expression) -> int | None:
    if isinstance(node, exp.Parameter) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return int(node.this.this)
    return None


def column_params(sql: str, schema_of: SchemaOf) -> dict[int, pa.Field]:
    """1-based parameter number -> the column field it is written to or compared with."""
    try:
        tree = sqlglot.parse_one(sql, read="postgres")
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError):
        return {}
    if not isinstance(tree, (exp.Insert, exp.Update, exp.Select, exp.Delete)):
        return {}
    table = tree.find(exp.Table)
    schema = schema_of(table.name) if table is not None else None
    if schema is None:
        return {}
    fields = {f.name: f for f in schema}
    found: dict[int, pa.Field] = {}
    if isinstance(tree, exp.Insert) and isinstance(tree.this, exp.Schema) and isinstance(tree.expression, exp.Values):
        names = [c.name for c in tree.this.expressions]
        for row in tree.expression.expressions:
            for name, value in zip(names, row.expressions if isinstance(row, exp.Tuple) else [row]):
                index = _param_index(value)
                if index is not None and name in fields:
                    found[index] = fields[name]
    for cmp in tree.find_all(exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE):
        left, right = cmp.this, cmp.expression
        for column, value in ((left, right), (right, left)):
            index = _param_index(value)
            if index is not None and isinstance(column, exp.Column) and column.name in fields:
                found.setdefault(index, fields[column.name])
    return found
