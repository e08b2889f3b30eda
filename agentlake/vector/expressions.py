"""pgvector expressions whose meaning depends on an operand's type.

``avg(x)``, ``x + y``, ``x = '[1,2]'`` and ``x::text`` mean one thing for numbers and
another for vectors, which the SQL text does not say and DataFusion cannot overload
(a function named ``avg`` would replace the numeric one). The catalog knows: an operand
that is a vector column of a table the statement reads, a cast to vector, or a function
or operator that makes a vector turns the expression into the vector layer's function.
Tables are looked up by name (``schema_of``), so a Dask ``Context`` decides the same way.
"""

from __future__ import annotations

import functools

import pyarrow as pa
from sqlglot import exp

from ..sql.column_types import SchemaOf, column_fields
from ..sql.dialect import BIT_OPERATORS, VECTOR_OPERATORS
from ..sql.rules import transform_up
from ..sql.rules.column_names import PG_NAME, pg_name
from ..sql.types import SPARSEVEC_TYPE, is_sparsevec
from .arrays import VECTOR_RESULT, parse_vector
from .halfvec import HALFVEC_RESULT
from .literals import check_literal_cast
from .metrics import dimension_error
from .operator_operands import check_operator_operands

Kinds = dict[str, dict[str, str]]
"""Qualifier -> column name -> its vector type ("vector" or "halfvec")."""

_AGGREGATES = {exp.Avg: "avg", exp.Sum: "sum"}
_ARITHMETIC = {exp.Add: "vector_add", exp.Sub: "vector_sub", exp.Mul: "vector_mul", exp.DPipe: "vector_concat"}
_COMPARISONS = (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE)
_TEXT_TYPES = {exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR}
_KIND_OF_RESULT = {VECTOR_RESULT: "vector", HALFVEC_RESULT: "halfvec", SPARSEVEC_TYPE: "sparsevec"}


@functools.cache
def _returns() -> dict[str, str]:
    """Function name -> the vector type it returns. Read from the UDF definitions, which load
    DataFusion, so only when a statement first asks (``import agentlake`` stays light)."""
    from .functions import AGGREGATES, ALL_SCALAR_FUNCTIONS

    return {
        name: _KIND_OF_RESULT[out] for name, (_, _, out) in ALL_SCALAR_FUNCTIONS.items() if out in _KIND_OF_RESULT
    } | {name: output_kind for name, (_, out) in AGGREGATES.items() for output_kind in [_KIND_OF_RESULT[out]]}


_OVERLOADED = {
    "l2_distance",
    "inner_product",
    "negative_inner_product",
    "cosine_distance",
    "l1_distance",
    "vector_dims",
    "vector_norm",
    "l2_norm",
    "l2_normalize",
    "subvector",
    "binary_quantize",
    "vector_cmp",
}
"""pgvector functions with a halfvec overload, spelled ``halfvec_<name>`` in the vector layer."""
_TYPED_NAMES = {
    "vector_cmp": ("vector", "vector_cmp"),
    "halfvec_cmp": ("halfvec", "vector_cmp"),
    "sparsevec_cmp": ("sparsevec", "vector_cmp"),
}
"""Functions named for one type whose literal arguments are of that type."""
_DISTANCES = {**VECTOR_OPERATORS, exp.Distance: "l2_distance"}
_STATES = {"vector_avg", "halfvec_avg", "vector_accum", "halfvec_accum", "vector_combine", "halfvec_combine"}
"""pgvector's aggregate support functions over float8[] states (``vector_avg('{2,2,4,6}')``)."""


def vector_expressions(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, every expression above whose operand is a vector; True when any was.
    ``schema_of`` names a table's schema (None: no such table)."""
    if not tree.find(
        exp.Avg,
        exp.Sum,
        exp.Add,
        exp.Sub,
        exp.Mul,
        exp.DPipe,
        exp.Cast,
        exp.In,
        exp.Anonymous,
        exp.Array,
        *_DISTANCES,
        *BIT_OPERATORS,
        *_COMPARISONS,
    ):
        return False
    for cast in tree.find_all(exp.Cast):
        if _cast_kind(cast):
            check_literal_cast(cast, _cast_kind(cast))
    fields = column_fields(tree, schema_of)
    check_operator_operands(tree, fields)
    dims = {
        qualifier: {name: f.type.list_size for name, f in found.items() if pa.types.is_fixed_size_list(f.type)}
        for qualifier, found in fields.items()
    }
    kinds = {
        qualifier: {name: _column_kind(f.type) for name, f in found.items() if _column_kind(f.type)}
        for qualifier, found in fields.items()
    }
    _unnested_kinds(tree, kinds)
    if not any(kinds.values()) and not any(
        _kind(n, kinds) or n.name.lower() in _TYPED_NAMES or n.name.lower() in _STATES
        for n in tree.find_all(exp.Cast, exp.Anonymous)
    ):
        return False  # no vector in sight: most queries stop here, before the walk below
    changed = False

    def rewrite(node: exp.Expression) -> exp.Expression:
        nonlocal changed
        replacement = _vector_form(node, kinds, dims)
        if replacement is None:
            return node
        changed = True
        replacement.meta.setdefault(PG_NAME, pg_name(node))  # a select item keeps the name of what was written
        return replacement

    transform_up(tree, rewrite)
    return changed


_EMPTY_ARRAYS = {"vector": "List(List(Float32, field: 'vector'))", "halfvec": "List(List(Float16, field: 'halfvec'))"}
"""DataFusion's spelling of an empty ``vector[]`` and ``halfvec[]`` (it has no such SQL types)."""


def _unnested_kinds(tree: exp.Expression, kinds: Kinds) -> None:
    """``FROM unnest(ARRAY['[1,2]'::vector, '[3,4]']) v``: the array's text items are vectors (PostgreSQL
    gives an ARRAY one element type), and so is its column ``v``; ``ARRAY[...]::vector[]`` says so
    by its cast, which becomes the array itself (an empty one typed for DataFusion)."""
    for array in list(tree.find_all(exp.Array)):
        cast = array.parent if isinstance(array.parent, exp.Cast) else None
        cast_kind = (
            _type_kind(cast.to.expressions[0])
            if cast is not None and cast.to.this == exp.DataType.Type.ARRAY and cast.to.expressions
            else None
        )
        kind = cast_kind or next((k for k in (_kind(item, kinds) for item in array.expressions) if k), None)
        value = array
        if cast_kind in _EMPTY_ARRAYS and not array.expressions:
            typed = exp.Literal.string(_EMPTY_ARRAYS[cast_kind])
            value = cast.replace(exp.Anonymous(this="arrow_cast", expressions=[array, typed]))
        elif cast_kind:
            cast.replace(array)
        if cast_kind:
            value.meta.setdefault(PG_NAME, pg_name(cast))
        if kind:
            array.set("expressions", [_as_kind(item, kind) for item in array.expressions])
            unnest = value.parent
            alias = unnest.args.get("alias") if isinstance(unnest, exp.Unnest) else None
            if isinstance(alias, exp.TableAlias) and alias.this is not None:
                column = (alias.columns[0] if alias.columns else alias.this).name
                kinds.setdefault("", {})[column] = kind
                kinds.setdefault(alias.this.name, {})[column] = kind


def _column_kind(t: pa.DataType) -> str | None:
    if is_sparsevec(t):
        return "sparsevec"
    if pa.types.is_fixed_size_list(t) and pa.types.is_floating(t.value_type):
        return "halfvec" if pa.types.is_float16(t.value_type) else "vector"
    if pa.types.is_list(t) and t.value_field.name == "vector":  # a vector column without a dimension
        return "vector"
    return None


def _named(kind: str, name: str) -> str:
    return name if kind == "vector" else f"{kind}_{name}"


def _vector_form(node: exp.Expression, kinds: Kinds, dims: dict[str, dict[str, int]]) -> exp.Expression | None:
    """The vector layer's spelling of ``node``, or None when it is not about vectors."""
    if type(node) in _AGGREGATES and not isinstance(node.this, exp.Distinct):
        kind = _kind(node.this, kinds)
        return exp.Anonymous(this=f"{kind}_{_AGGREGATES[type(node)]}", expressions=[node.this]) if kind else None
    if isinstance(node, exp.Anonymous) and node.name.lower() in _STATES:
        return _state_call(node, kinds)
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        kind, base = _TYPED_NAMES.get(name, (None, name))
        if base not in _OVERLOADED or not node.expressions:
            return None
        kind = (
            kind
            or _kind(node.expressions[0], kinds)
            or (_kind(node.expressions[1], kinds) if len(node.expressions) > 1 else None)
        )
        if kind is None or (kind == "vector" and name == base and name not in _TYPED_NAMES):
            return None
        vectors = (
            2
            if base
            in (
                "l2_distance",
                "inner_product",
                "negative_inner_product",
                "cosine_distance",
                "l1_distance",
                "vector_cmp",
            )
            else 1
        )
        args = [_as_kind(a, kind) if i < vectors else a for i, a in enumerate(node.expressions)]
        return exp.Anonymous(this=_named(kind, base), expressions=args)
    if type(node) in _DISTANCES:
        kind = _kind(node.this, kinds) or _kind(node.expression, kinds)
        if kind not in ("halfvec", "sparsevec"):
            return None  # vectors: the front end's vector_operators rule spells these
        return exp.Anonymous(
            this=_named(kind, _DISTANCES[type(node)]),
            expressions=[_as_kind(node.this, kind), _as_kind(node.expression, kind)],
        )
    if type(node) in _ARITHMETIC or isinstance(node, _COMPARISONS):
        left, right = node.this, node.expression
        kind = _kind(left, kinds) or _kind(right, kinds)
        if kind is None:
            return None
        operands = [_as_kind(left, kind), _as_kind(right, kind)]
        if isinstance(node, _COMPARISONS) and kind == "sparsevec":  # pgvector's order, not the struct's
            compared = exp.Anonymous(this="sparsevec_vector_cmp", expressions=operands)
            return type(node)(this=compared, expression=exp.Literal.number(0))
        if isinstance(node, _COMPARISONS):
            _check_dimensions(left, right, dims)
            return None if operands == [left, right] else type(node)(this=operands[0], expression=operands[1])
        return exp.Anonymous(this=_named(kind, _ARITHMETIC[type(node)]), expressions=operands)
    if isinstance(node, exp.In) and node.expressions and _kind(node.this, kinds):
        # SQL's IN is the OR of equalities, NULLs included: one spelling for every executor
        kind = _kind(node.this, kinds)
        for item in node.expressions:
            _check_dimensions(node.this, item, dims)
        equalities = [exp.EQ(this=node.this.copy(), expression=_as_kind(item, kind)) for item in node.expressions]
        return exp.Paren(this=exp.or_(*equalities, copy=False))
    if isinstance(node, exp.Cast) and node.to.this in _TEXT_TYPES and _kind(node.this, kinds):
        name = "sparsevec_to_text" if _kind(node.this, kinds) == "sparsevec" else "vector_to_text"
        return exp.Anonymous(this=name, expressions=[node.this])
    if (
        isinstance(node, exp.Cast)
        and _cast_kind(node)
        and isinstance(node.this, exp.Column)
        and _kind(node.this, kinds)
    ):
        target, source = _cast_kind(node), _kind(node.this, kinds)
        inner = node.this
        if source == "sparsevec" and target != source:
            inner = exp.Anonymous(this=f"sparsevec_to_{target}", expressions=[inner])
        elif target != source:
            inner = exp.Anonymous(this=f"array_to_{target}", expressions=[inner])
        dims_of = node.to.expressions  # only vector(n)'s dimension is left to check
        checked = _named(target, "vector_with_dimensions")
        return exp.Anonymous(this=checked, expressions=[inner, dims_of[0].this]) if dims_of else inner
    return None


def _state_call(node: exp.Anonymous, kinds: Kinds) -> exp.Expression | None:
    """``vector_avg(state)`` (not the aggregate this layer spells ``avg(v)`` as), ``vector_accum(state, v)``
    and ``vector_combine(a, b)``, their states passed as PostgreSQL's array text."""
    name = node.name.lower()
    kind = name.split("_")[0]
    states = 2 if name.endswith("_combine") else 1
    args = [_state_text(a) if i < states else a for i, a in enumerate(node.expressions)]
    if name.endswith("_avg"):
        if _kind(node.expressions[0], kinds):
            return None
        call = exp.Anonymous(this=f"{name}_state", expressions=args)
        call.meta[PG_NAME] = name
        return call
    if name.endswith("_accum") and len(args) == 2:
        return exp.Anonymous(this=name, expressions=[args[0], _as_kind(args[1], kind)])
    if args == node.expressions:
        return None
    return exp.Anonymous(this=name, expressions=args)


def _state_text(node: exp.Expression) -> exp.Expression:
    """A state as the text the state functions read (``{2,1.5,3}``): a text literal as written, an
    array (``array_agg(n)``, a subquery's) printed as PostgreSQL prints one, its NULLs included."""
    if (isinstance(node, exp.Literal) and node.is_string) or isinstance(node, exp.Null):
        return node
    printed = exp.Anonymous(
        this="array_to_string", expressions=[node, exp.Literal.string(","), exp.Literal.string("NULL")]
    )
    return exp.DPipe(
        this=exp.DPipe(this=exp.Literal.string("{"), expression=printed), expression=exp.Literal.string("}")
    )


def _check_dimensions(left: exp.Expression, right: exp.Expression, dims: dict[str, dict[str, int]]) -> None:
    """pgvector compares vectors of one dimension only: a vector(n) column against a literal of
    another length is 22000 (DataFusion would answer false)."""
    for column, other, column_first in ((left, right, True), (right, left, False)):
        if isinstance(column, exp.Column) and isinstance(other, exp.Literal) and other.is_string:
            dim = dims.get(column.table, {}).get(column.name)
            found = None if dim is None else len(parse_vector(other.this))
            if found is not None and found != dim:
                raise dimension_error(*((dim, found) if column_first else (found, dim)))


def _as_kind(node: exp.Expression, kind: str) -> exp.Expression:
    """A text literal beside a vector is a vector literal, as PostgreSQL resolves ``unknown``."""
    if isinstance(node, exp.Literal) and node.is_string:
        return exp.Anonymous(this=f"to_{kind}", expressions=[node])
    return node


def _cast_kind(node: exp.Cast) -> str | None:
    return _type_kind(node.to)


def _type_kind(to: exp.DataType) -> str | None:
    if to.this == exp.DataType.Type.VECTOR:
        return "vector"
    name = str(to.args.get("kind", "")).lower()
    return name if to.this == exp.DataType.Type.USERDEFINED and name in ("vector", "halfvec", "sparsevec") else None


def _kind(node: exp.Expression, kinds: Kinds) -> str | None:
    """The vector type of ``node`` (vector, halfvec), or None when it is not one or not known here."""
    if isinstance(node, exp.Paren):
        return _kind(node.this, kinds)
    if isinstance(node, exp.Column):
        while isinstance(node, exp.Paren):
            node = node.this
        return kinds.get(node.table, {}).get(node.name)
    if isinstance(node, exp.Cast):
        return _cast_kind(node)
    return _returns().get(node.name.lower()) if isinstance(node, exp.Anonymous) else None
