"""pgvector expressions whose meaning depends on an operand's type.

``avg(x)``, ``x + y``, ``x = '[1,2]'`` and ``x::text`` mean one thing for numbers and
another for vectors, which the SQL text does not say and DataFusion cannot overload
(a function named ``avg`` would replace the numeric one). The catalog knows: an operand
that is a vector column of a table the statement reads, a cast to vector, or a function
or operator that makes a vector turns the expression into the vector layer's function.
Tables are looked up by name (``schema_of``), so a Dask ``Context`` decides the same way.
"""
from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from ..sql.rules import transform_up
from .arrays import parse_vector
from .metrics import dimension_error
from ..sql.column_types import Columns, SchemaOf, column_fields, is_column_in

_AGGREGATES = {exp.Avg: "vector_avg", exp.Sum: "vector_sum"}
_ARITHMETIC = {exp.Add: "vector_add", exp.Sub: "vector_sub", exp.Mul: "vector_mul"}
_COMPARISONS = (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE)
_MAKES_VECTORS = {"to_vector", "vector_with_dimensions", "vector_from_float4", "l2_normalize", "subvector",
                  *_AGGREGATES.values(), *_ARITHMETIC.values()}
_TEXT_TYPES = {exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR}


def vector_expressions(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, every expression above whose operand is a vector; True when any was.
    ``schema_of`` names a table's schema (None: no such table)."""
    if not tree.find(exp.Avg, exp.Sum, exp.Add, exp.Sub, exp.Mul, exp.Cast, exp.In, *_COMPARISONS):
        return False
    dims = {qualifier: {name: f.type.list_size for name, f in fields.items() if pa.types.is_fixed_size_list(f.type)}
            for qualifier, fields in column_fields(tree, schema_of).items()}
    columns: Columns = {qualifier: set(names) for qualifier, names in dims.items()}
    if not any(columns.values()) and not any(_is_vector(n, columns) for n in tree.find_all(exp.Cast, exp.Anonymous)):
        return False  # no vector in sight: most queries stop here, before the walk below
    changed = False

    def rewrite(node: exp.Expression) -> exp.Expression:
        nonlocal changed
        replacement = _vector_form(node, columns, dims)
        changed |= replacement is not None
        return node if replacement is None else replacement

    transform_up(tree, rewrite)
    return changed


def _vector_form(node: exp.Expression, columns: Columns, dims: dict[str, dict[str, int]]) -> exp.Expression | None:
    """The vector layer's spelling of ``node``, or None when it is not about vectors."""
    if type(node) in _AGGREGATES and not isinstance(node.this, exp.Distinct) and _is_vector(node.this, columns):
        return exp.Anonymous(this=_AGGREGATES[type(node)], expressions=[node.this])
    if type(node) in _ARITHMETIC or isinstance(node, _COMPARISONS):
        left, right = node.this, node.expression
        if not (_is_vector(left, columns) or _is_vector(right, columns)):
            return None
        operands = [_as_vector(left), _as_vector(right)]
        if isinstance(node, _COMPARISONS):
            _check_dimensions(left, right, dims)
            return None if operands == [left, right] else type(node)(this=operands[0], expression=operands[1])
        return exp.Anonymous(this=_ARITHMETIC[type(node)], expressions=operands)
    if isinstance(node, exp.In) and node.expressions and _is_vector(node.this, columns):
        # SQL's IN is the OR of equalities, NULLs included: one spelling for every executor
        for item in node.expressions:
            _check_dimensions(node.this, item, dims)
        equalities = [exp.EQ(this=node.this.copy(), expression=_as_vector(item)) for item in node.expressions]
        return exp.Paren(this=exp.or_(*equalities, copy=False))
    if isinstance(node, exp.Cast) and node.to.this in _TEXT_TYPES and _is_vector(node.this, columns):
        return exp.Anonymous(this="vector_to_text", expressions=[node.this])
    if isinstance(node, exp.Cast) and _is_vector(node, columns) and _is_vector(node.this, columns):
        dims = node.to.expressions  # a vector already: only vector(n)'s dimension is left to check
        return exp.Anonymous(this="vector_with_dimensions", expressions=[node.this, dims[0].this]) if dims else node.this
    return None


def _check_dimensions(left: exp.Expression, right: exp.Expression, dims: dict[str, dict[str, int]]) -> None:
    """pgvector compares vectors of one dimension only: a vector(n) column against a literal of
    another length is 22000 (DataFusion would answer false)."""
    for column, other, column_first in ((left, right, True), (right, left, False)):
        if isinstance(column, exp.Column) and isinstance(other, exp.Literal) and other.is_string:
            dim = dims.get(column.table, {}).get(column.name)
            found = None if dim is None else len(parse_vector(other.this))
            if found is not None and found != dim:
                raise dimension_error(*((dim, found) if column_first else (found, dim)))


def _as_vector(node: exp.Expression) -> exp.Expression:
    """A text literal beside a vector is a vector literal, as PostgreSQL resolves ``unknown``."""
    if isinstance(node, exp.Literal) and node.is_string:
        return exp.Anonymous(this="to_vector", expressions=[node])
    return node


def _is_vector(node: exp.Expression, columns: Columns) -> bool:
    if isinstance(node, exp.Paren):
        return _is_vector(node.this, columns)
    if isinstance(node, exp.Column):
        return is_column_in(node, columns)
    if isinstance(node, exp.Cast):
        return node.to.this == exp.DataType.Type.VECTOR or str(node.to.args.get("kind", "")).lower() == "vector"
    return isinstance(node, exp.Anonymous) and node.name.lower() in _MAKES_VECTORS
