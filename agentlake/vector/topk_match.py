"""Top-k planning: recognising ``ORDER BY embedding <-> q LIMIT k`` (with an optional filter) on
one table, so it runs as a vector search instead of a full sort."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from sqlglot import exp

from ..errors import DataError
from ..sql.dialect import VECTOR_OPERATORS
from ..sql.literals import constant
from ..sql.params import PARAM_META
from .arrays import checked_vector, parse_vector

DISTANCE_FUNCTIONS = {
    "l2_distance": "l2",
    "cosine_distance": "cosine",
    "negative_inner_product": "ip",
    "l1_distance": "l1",
}


@dataclass
class TopKQuery:
    table: str
    alias: str
    column: str
    metric: str
    query: np.ndarray
    k: int
    where: exp.Expression | None


def _plain_vector(to: exp.DataType) -> bool:
    """``vector`` without a dimension: a cast that leaves a bound vector as it is."""
    return to.is_type("vector") and not to.expressions


def vector_constant(node: exp.Expression) -> np.ndarray | None:
    """The query vector a top-k compares with, checked as pgvector checks a vector value (a NaN
    query is 22000, not an empty answer); None when ``node`` is not a constant."""
    if isinstance(node, exp.Cast) and node.this.meta and PARAM_META in node.this.meta and _plain_vector(node.to):
        node = node.this  # a bound parameter cast to vector, as wire clients send ``$1::vector``: its value
    bound = node.meta.get(PARAM_META) if node.meta else None
    if bound is not None and not isinstance(bound, str):  # a bound parameter: its value, not its text
        try:
            vector = np.asarray(bound, dtype=np.float32).reshape(-1)
        except (TypeError, ValueError):
            return None
        return checked_vector(vector)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "to_vector" and node.expressions:
        return vector_constant(node.expressions[0])
    text = constant(node.this) if isinstance(node, exp.Cast) else constant(node)
    return parse_vector(text) if isinstance(text, str) else None


def _dense_vector(schema: pa.Schema, name: str) -> bool:
    """Whether ``name`` is a vector or halfvec column of ``schema`` (a fixed-size list): the only
    columns searched here, and the only ones whose constant operand is read as a dense vector."""
    return schema.get_field_index(name) >= 0 and pa.types.is_fixed_size_list(schema.field(name).type)


def distance_call(node: exp.Expression, select: exp.Select, schema: pa.Schema) -> tuple[str, str, np.ndarray] | None:
    """(column, metric, query vector) when ``node`` is a distance between a dense vector column of
    ``schema`` and a constant; the constant is parsed only then (beside a sparsevec column it is
    sparsevec text, not a vector)."""
    if isinstance(node, exp.Column) and not node.table:
        for item in select.expressions:
            if isinstance(item, exp.Alias) and item.alias == node.name:
                return distance_call(item.this, select, schema)
        return None
    if type(node) in VECTOR_OPERATORS:
        name, args = VECTOR_OPERATORS[type(node)], [node.this, node.expression]
    else:
        name = node.name.lower() if isinstance(node, exp.Anonymous) else ""
        args = node.expressions if isinstance(node, exp.Anonymous) else []
    metric = DISTANCE_FUNCTIONS.get(name)
    if metric is None or len(args) != 2:
        return None
    for column, other in ((args[0], args[1]), (args[1], args[0])):
        if isinstance(column, exp.Column) and _dense_vector(schema, column.name):
            vector = vector_constant(other)
            if vector is not None:
                return column.name, metric, vector
    return None


def match_topk(stmt: exp.Expression, snapshot) -> TopKQuery | None:
    """Recognize the filtered top-k shape on a single table (after the front end's rewrites)."""
    if not isinstance(stmt, exp.Select):
        return None
    if any(stmt.args.get(k) for k in ("joins", "group", "having", "distinct", "windows", "offset", "with_", "with")):
        return None
    order, limit, source = (
        stmt.args.get("order"),
        stmt.args.get("limit"),
        stmt.args.get("from_") or stmt.args.get("from"),
    )
    if order is None or limit is None or source is None or not isinstance(source.this, exp.Table):
        return None
    if any(node.find(exp.AggFunc) for node in (*stmt.expressions, order)):
        return None
    first = order.expressions[0]
    if first.args.get("desc") or first.args.get("nulls_first"):  # rows without a vector would come first
        return None
    k = constant(limit.expression)
    table = source.this.name
    if not isinstance(k, int) or table not in snapshot.tables:
        return None
    manifest = snapshot.tables[table]
    found = distance_call(first.this, stmt, manifest.schema)
    if found is None:
        return None
    column, metric, vector = found
    dim = manifest.schema.field(column).type.list_size
    if len(vector) != dim:
        raise DataError(f"[SQLSTATE 22000] different vector dimensions {dim} and {len(vector)}", sqlstate="22000")
    where = stmt.args.get("where")
    return TopKQuery(table, source.this.alias_or_name, column, metric, vector, k, where.this if where else None)


def with_own_filter(plan: TopKQuery, copy: bool = True) -> TopKQuery:
    """``plan`` with a filter nothing else will change (a copy; ``copy=False`` for one the caller
    just made), still inside a statement naming the table (the catalog-typed rewrites look the
    table's columns up through it)."""
    if plan.where is None:
        return plan
    where = plan.where.copy() if copy else plan.where
    table = exp.Table(this=exp.to_identifier(plan.table), alias=exp.TableAlias(this=exp.to_identifier(plan.alias)))
    holder = exp.select(exp.Literal.number(1)).from_(table, copy=False).where(where, copy=False)
    return dataclasses.replace(plan, where=holder.args["where"].this)
