"""Tensor expressions, whose meaning depends on an operand being a tensor column.

``t + 1``, ``t[2:3]``, ``shape(t)`` and ``t::vector`` mean one thing for tensors and another (or
nothing) for other types, which the SQL text does not say. The catalog knows which columns are
tensors; each such expression becomes the tensor layer's function
(``agentlake.tensors.functions``) over the query-time form, into which stored columns are
brought by ``tensor_in_<dtype>`` (DataFusion matches function arguments by exact type, and the
stored layouts differ by dtype and rank).
"""

from __future__ import annotations

import json

from sqlglot import exp

from ..errors import NotSupportedError, ProgrammingError
from ..media.functions import MEDIA_TENSOR_FUNCTIONS
from ..tensors.functions import RETURNS_TENSOR
from ..tensors.types import TensorSpec, dtype_name, tensor_spec
from .column_types import SchemaOf, column_fields
from .rules import transform_up

_ARITHMETIC = {exp.Add: "tensor_add", exp.Sub: "tensor_sub", exp.Mul: "tensor_mul", exp.Div: "tensor_div"}
_REDUCTIONS = {"tensor_sum", "tensor_mean", "tensor_max", "tensor_min"}
_INSPECTIONS = {"shape", "ndim", "dtype"}
_MAKES_TENSORS = RETURNS_TENSOR | MEDIA_TENSOR_FUNCTIONS
_SUBSCRIPTS = "tensor_subscripts"
_NAMED = "tensor_named"
Specs = dict[str, dict[str, TensorSpec]]


def spec_of_type(node: exp.DataType) -> TensorSpec | None:
    """``tensor(float32, 3, 224, 224)`` as a spec (0 for a size that varies); None for other types."""
    kind = node.args.get("kind")
    if node.this != exp.DataType.Type.USERDEFINED or not kind or kind.name.lower() != "tensor":
        return None
    params = [p.this if isinstance(p, exp.DataTypeParam) else p for p in node.expressions]
    if not params:
        raise ProgrammingError("tensor types need an element type, as in tensor(float32)", sqlstate="22023")
    try:
        dtype = dtype_name(params[0].name)
    except ValueError as err:
        raise ProgrammingError(str(err), sqlstate="42704") from None
    dims = [int(p.name) for p in params[1:]]
    if any(d < 0 for d in dims):
        raise ProgrammingError("tensor sizes must be positive (0: varies by row)", sqlstate="22023")
    return TensorSpec(dtype, tuple(d or None for d in dims) if dims else None)


def tensor_expressions(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, every expression about tensors; True when any was."""
    specs: Specs = {
        q: {n: s for n, f in fields.items() if (s := tensor_spec(f)) is not None}
        for q, fields in column_fields(tree, schema_of).items()
    }
    names = {n.name.lower() for n in tree.find_all(exp.Anonymous)}
    casts = any(spec_of_type(c.to) for c in tree.find_all(exp.Cast))
    if not any(specs.values()) and not casts and not names & (_MAKES_TENSORS | _INSPECTIONS | _REDUCTIONS):
        return False
    changed = False

    def rewrite(node: exp.Expression) -> exp.Expression:
        nonlocal changed
        replacement = _tensor_form(node, specs)
        if replacement is None:
            return node
        changed = True
        if isinstance(node.parent, exp.Select) and node.arg_key == "expressions":  # named as written
            named = exp.alias_(replacement, _written_name(node), quoted=True)
            named.meta[_NAMED] = True
            return named
        return replacement

    transform_up(tree, rewrite)
    if changed:
        _distinct_names(tree)
    return changed


def _distinct_names(tree: exp.Expression) -> None:
    """DataFusion refuses two outputs of one name (``SELECT a[1], a[2]``): the names given above
    get a numeric suffix, as the front end's other output names do."""
    for select in tree.find_all(exp.Select):
        seen: dict[str, int] = {}
        for item in select.expressions:
            name = item.alias_or_name
            count = seen.get(name, 0)
            seen[name] = count + 1
            if count and isinstance(item, exp.Alias) and item.meta.get(_NAMED):
                item.set("alias", exp.to_identifier(f"{name}_{count}", quoted=True))


def _written_name(node: exp.Expression) -> str:
    """PostgreSQL's name for a select item as written: a column's name (also for its subscripts
    and casts), a function's name, else ``?column?`` (a cast of a constant: the type's name)."""
    while isinstance(node, (exp.Bracket, exp.Paren)):
        node = node.this
    if isinstance(node, exp.Anonymous) and _SUBSCRIPTS in node.meta:
        node = node.meta[_SUBSCRIPTS][0]
    if isinstance(node, exp.Column):
        return node.name
    if isinstance(node, exp.Cast):
        inner = _written_name(node.this)
        return inner if inner != "?column?" else node.to.sql(dialect="postgres").lower().split("(")[0]
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    return "?column?"


def _column_spec(node: exp.Expression, specs: Specs) -> TensorSpec | None:
    while isinstance(node, exp.Paren):
        node = node.this
    return specs.get(node.table, {}).get(node.name) if isinstance(node, exp.Column) else None


def _is_tensor(node: exp.Expression, specs: Specs) -> bool:
    while isinstance(node, exp.Paren):
        node = node.this
    return _column_spec(node, specs) is not None or (
        isinstance(node, exp.Anonymous) and node.name.lower() in _MAKES_TENSORS
    )


def _call(name: str, *args: exp.Expression) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _text(value) -> exp.Expression:
    return exp.null() if value is None else exp.Literal.string(value)


def as_compute(node: exp.Expression, specs: Specs) -> exp.Expression:
    """A tensor operand in the query-time form: stored columns through ``tensor_in_<dtype>``."""
    spec = _column_spec(node, specs)
    if spec is None:
        return node
    if spec.fixed:
        shape = exp.Array(expressions=[exp.Literal.number(s) for s in spec.shape])
        return _call(f"tensor_in_{spec.dtype}", node, shape)
    return _call(
        f"tensor_in_{spec.dtype}",
        _call("get_field", node, exp.Literal.string("data")),
        _call("get_field", node.copy(), exp.Literal.string("shape")),
    )


def _operand(node: exp.Expression, specs: Specs) -> exp.Expression:
    if _is_tensor(node, specs):
        return as_compute(node, specs)
    return _call("tensor_scalar", exp.Cast(this=node, to=exp.DataType.build("DOUBLE")))


def _tensor_form(node: exp.Expression, specs: Specs) -> exp.Expression | None:
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        args = node.expressions
        if name in _INSPECTIONS and len(args) == 1:
            return _call(name, as_compute(args[0], specs))
        if name in _REDUCTIONS and len(args) in (1, 2):
            return _call(name if len(args) == 2 else f"{name}_all", as_compute(args[0], specs), *args[1:])
        return None
    if type(node) in _ARITHMETIC and (_is_tensor(node.this, specs) or _is_tensor(node.expression, specs)):
        return _call(_ARITHMETIC[type(node)], _operand(node.this, specs), _operand(node.expression, specs))
    if isinstance(node, exp.Bracket) and _is_tensor(node.this, specs):
        return _subscript(node, specs)
    if isinstance(node, exp.Cast):
        return _cast(node, specs)
    return None


def _bound(node: exp.Expression | None, offset: int) -> int | None:
    if node is None:
        return None
    value = node.this if isinstance(node, exp.Neg) else node
    if not (isinstance(value, exp.Literal) and not value.is_string and value.this.lstrip("-").isdigit()):
        raise NotSupportedError("tensor subscripts must be integer constants", sqlstate="0A000")
    return (-1 if isinstance(node, exp.Neg) else 1) * int(value.this) + offset


def _subscript(node: exp.Bracket, specs: Specs) -> exp.Expression:
    """``t[i]``, ``t[i][j]``, ``t[lo:hi]``: PostgreSQL's subscripts (sqlglot keeps plain ones 0-based)."""
    spec = []
    for item in node.expressions:
        if isinstance(item, exp.Slice):
            spec.append([_bound(item.this, 0), _bound(item.expression, 0)])
        else:
            spec.append(_bound(item, 1))
    base = node.this
    known = _column_spec(base, specs)
    if isinstance(base, exp.Anonymous) and _SUBSCRIPTS in base.meta:  # t[i][j]: one subscript list
        inner, inner_spec, known = base.meta[_SUBSCRIPTS]
        base, spec = inner, inner_spec + spec
    compute = as_compute(base, specs)
    ints = all(not isinstance(s, list) for s in spec)
    if ints and known is not None and known.ndim == len(spec):
        return _call("tensor_item", compute, exp.Literal.string(json.dumps(spec)))
    out = _call("tensor_slice", compute, exp.Literal.string(json.dumps(spec)))
    out.meta[_SUBSCRIPTS] = (base, spec, known)
    return out


def _cast(node: exp.Cast, specs: Specs) -> exp.Expression | None:
    source, to = node.this, node.to
    target = spec_of_type(to)
    if target is not None:
        shape = json.dumps([s or 0 for s in target.shape]) if target.shape is not None else None
        if isinstance(source, exp.Literal) and source.is_string:
            return _call("tensor_parse", source, exp.Literal.string(target.dtype), _text(shape))
        if not _is_tensor(source, specs):  # a vector, a real[] or another list of numbers
            source = _call("tensor_in_float64", source, exp.null())
        return _call("tensor_cast", as_compute(source, specs), exp.Literal.string(target.dtype), _text(shape))
    if not _is_tensor(source, specs):
        return None
    compute = as_compute(source, specs)
    kind = to.args.get("kind")
    if to.this == exp.DataType.Type.VECTOR or (kind is not None and kind.name.lower() == "vector"):
        return exp.Cast(this=_call("tensor_to_vector", compute), to=to)
    if to.this == exp.DataType.Type.ARRAY:
        element = to.expressions[0].this if to.expressions else None
        if element == exp.DataType.Type.FLOAT:
            return _call("tensor_to_float4_array", compute)
        return exp.Cast(this=_call("tensor_to_float8_array", compute), to=to)
    raise NotSupportedError(f"cannot cast a tensor to {to.sql(dialect='postgres')}", sqlstate="42846")
