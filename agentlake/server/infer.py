"""Types of unknown-typed parameters ($n sent with OID 0) from the statement around them.

psycopg sends Python strings, and SQLAlchemy's pgvector type sends vectors, as
OID 0, and asyncpg binds every argument by the type Describe reports. PostgreSQL types
such a parameter from its context; the engine plans result columns, not parameter types,
so this covers the contexts clients rely on: ``INSERT INTO t [(cols)] VALUES ($1, ...)`` (also
in a WITH query or a MERGE) and ``UPDATE t SET col = $1``, comparisons ``col = $1`` (also LIKE, IN lists, BETWEEN),
distances ``col <-> $1`` (pgvector's operators), ``col = ANY($1)`` and ``col <> ALL($1)``
(an array of the column's type), ``$1 = ANY(array_column)``, ``LIMIT $1`` and ``OFFSET $1``
(bigint), the keys of the advisory lock functions, casts ``$1::type``, and the factor of an
interval product ``$1 * interval '1 hour'`` or quotient ``interval '1 day' / $1`` (float8).
A cast ``x::type`` and jsonb's ``x->>'k'`` (text) stand for a column of their type.
"""

from __future__ import annotations

from typing import Callable

import pyarrow as pa
from sqlglot import exp

from ..errors import ProgrammingError
from ..pgcatalog.advisory import ADVISORY_LOCK_FUNCTIONS
from ..pgcatalog.types import BY_NAME, lookup, oid_for_field
from ..sql.dialect import VECTOR_OPERATORS
from ..sql.params import parse_statements
from ..sql.rules.interval_arithmetic import is_interval
from ..sql.trees import written_table
from ..sql.types import arrow_type, element_field

INT8_OID, INT4_OID, FLOAT8_OID = BY_NAME["int8"].oid, BY_NAME["int4"].oid, BY_NAME["float8"].oid
SchemaOf = Callable[[str], "pa.Schema | None"]


def _param_index(node: exp.Expression) -> int | None:
    if isinstance(node, exp.Parameter) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return int(node.this.this)
    return None


def column_params(sql: str, schema_of: SchemaOf) -> dict[int, int]:
    """1-based parameter number -> the type (OID) it is cast to, the column it is written to, compared with
    or measured against, the array of a column's type it is compared with through ANY or ALL, or
    bigint for LIMIT and OFFSET (as PostgreSQL types them)."""
    try:
        parsed = parse_statements(sql)
    except ProgrammingError:
        return {}
    if len(parsed) != 1:
        return {}
    tree = parsed[0]
    if not isinstance(tree, (exp.Insert, exp.Update, exp.Select, exp.Delete, exp.Merge)):
        return {}
    found = _cast_params(tree)
    for clause in tree.find_all(exp.Limit, exp.Offset):
        index = _param_index(clause.expression)
        if index is not None:
            found.setdefault(index, INT8_OID)
    for call in tree.find_all(exp.Anonymous):  # pg_advisory_lock($1) is bigint, pg_advisory_lock($1, $2) int4
        if call.name.lower() in ADVISORY_LOCK_FUNCTIONS and len(call.expressions) in (1, 2):
            for arg in call.expressions:
                index = _param_index(arg)
                if index is not None:
                    found.setdefault(index, INT8_OID if len(call.expressions) == 1 else INT4_OID)
    for product in tree.find_all(exp.Mul, exp.Div):  # PostgreSQL's interval * float8 (either way), / float8
        pairs = [(product.expression, product.this)]  # (factor, interval)
        if isinstance(product, exp.Mul):
            pairs.append((product.this, product.expression))
        for factor, interval in pairs:
            index = _param_index(factor)
            if index is not None and is_interval(interval):
                found.setdefault(index, FLOAT8_OID)
    columns = _ColumnTypes(tree, schema_of)
    for field, value in _inserted_values(tree, schema_of):
        index = _param_index(value)
        if index is not None:
            found.setdefault(index, oid_for_field(field))
    for cmp in tree.find_all(exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Like, exp.ILike, *VECTOR_OPERATORS):
        for column, value in ((cmp.this, cmp.expression), (cmp.expression, cmp.this)):
            field = columns.of(column)
            target = _quantified(value)
            index = _param_index(target if target is not None else value)
            if field is not None and index is not None:
                found.setdefault(
                    index, oid_for_field(pa.field("a", pa.list_(field))) if target is not None else oid_for_field(field)
                )
            elif (
                target is not None
                and (element := columns.of(target)) is not None
                and _is_list(element)
                and (index := _param_index(column)) is not None
            ):  # $1 = ANY(array_column)
                found.setdefault(index, oid_for_field(element_field(element)))
    for call in tree.find_all(exp.ArrayAppend, exp.ArrayPrepend, exp.ArrayRemove, exp.ArrayPosition):
        _array_function_arguments(call, columns, found)
    for node in tree.find_all(exp.In, exp.Between):
        field = columns.of(node.this)
        values = node.expressions if isinstance(node, exp.In) else [node.args.get("low"), node.args.get("high")]
        for value in values if field is not None else []:
            index = _param_index(value)
            if index is not None:
                found.setdefault(index, oid_for_field(field))
    return found


def _inserted_values(tree: exp.Expression, schema_of: SchemaOf) -> list[tuple[pa.Field, exp.Expression]]:
    """(column, value) of each value an INSERT ... VALUES writes: the statement's, a WITH query's,
    or a MERGE's INSERT clauses (whose columns are the MERGE's target's)."""
    pairs: list[tuple[pa.Field, exp.Expression]] = []
    for insert in tree.find_all(exp.Insert):
        merging = isinstance(insert.parent, exp.When)
        table = tree.this if merging else written_table(insert)
        schema = schema_of(table.name) if isinstance(table, exp.Table) else None
        if schema is None:
            continue
        listed = insert.this.expressions if isinstance(insert.this, (exp.Schema, exp.Tuple)) else None
        names = [c.name for c in listed] if listed is not None else schema.names
        values = insert.expression
        if isinstance(values, exp.Values):
            rows = [row.expressions if isinstance(row, exp.Tuple) else [row] for row in values.expressions]
        else:
            rows = [values.expressions] if merging and isinstance(values, exp.Tuple) else []
        pairs += [(schema.field(n), v) for row in rows for n, v in zip(names, row) if n in schema.names]
    return pairs


def _quantified(node: exp.Expression) -> exp.Expression | None:
    """What ``ANY (x)`` or ``ALL (x)`` ranges over, or None for any other expression."""
    if isinstance(node, (exp.Any, exp.All)):
        inner = node.this
    elif isinstance(node, exp.Anonymous) and node.name.upper() == "ALL" and node.expressions:
        inner = node.expressions[0]
    else:
        return None
    while isinstance(inner, exp.Paren):
        inner = inner.this
    return inner


def _is_list(field: pa.Field) -> bool:
    return pa.types.is_list(field.type) or pa.types.is_large_list(field.type)


def _array_function_arguments(call: exp.Expression, columns: "_ColumnTypes", found: dict[int, int]) -> None:
    """``array_append(tags, $1)``, ``array_prepend($1, tags)``, ``array_remove`` and
    ``array_position``: the parameter beside an array column is one of its elements."""
    for array, value in ((call.this, call.expression), (call.expression, call.this)):
        field = columns.of(array) if array is not None else None
        index = _param_index(value) if value is not None else None
        if field is not None and index is not None and _is_list(field):
            found.setdefault(index, oid_for_field(element_field(field)))


class _ColumnTypes:
    """The type of a column reference: qualified by a table or alias of the statement, or unqualified
    and found in its tables in order (the statement's own table first)."""

    def __init__(self, tree: exp.Expression, schema_of: SchemaOf) -> None:
        self.by_name: dict[str, pa.Schema] = {}
        for table in tree.find_all(exp.Table):
            if table.db and table.db.lower() != "public":
                continue
            schema = schema_of(table.name)
            if schema is None:
                continue
            self.by_name.setdefault(table.alias_or_name, schema)
            self.by_name.setdefault(table.name, schema)

    def of(self, node: exp.Expression) -> pa.Field | None:
        """The type of a column, of a cast (``x::text``) or of jsonb's ``->>`` (text); None otherwise."""
        if isinstance(node, exp.JSONExtractScalar):
            return pa.field("text", pa.string())
        if isinstance(node, exp.Cast):
            try:
                dtype, metadata = arrow_type(node.to)
            except ProgrammingError:
                return None
            return pa.field("cast", dtype, metadata=metadata or None)
        if not isinstance(node, exp.Column):
            return None
        schemas = (
            [self.by_name[node.table]]
            if node.table in self.by_name
            else []
            if node.table
            else list(self.by_name.values())
        )
        for schema in schemas:
            index = schema.get_field_index(node.name)
            if index >= 0:
                return schema.field(index)
        return None


def _cast_params(tree: exp.Expression) -> dict[int, int]:
    found: dict[int, int] = {}
    for cast in tree.find_all(exp.Cast):
        index = _param_index(cast.this)
        if index is None:
            continue
        try:
            dtype, metadata = arrow_type(cast.to)
            found.setdefault(index, oid_for_field(pa.field(f"${index}", dtype, metadata=metadata or None)))
        except ProgrammingError:  # a catalog type (oid[], regclass): asyncpg's type introspection casts to oid[]
            known = lookup(cast.to.sql(dialect="postgres"))
            if known is not None:
                found.setdefault(index, known.oid)
    return found
