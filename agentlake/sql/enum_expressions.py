"""Enum values compare, sort and aggregate in their type's label order, as in PostgreSQL.

An enum column is text underneath (:mod:`.enum_types`), so DataFusion would order ``'happy'``
before ``'sad'`` whatever the type declares. Here an ordering comparison (``<``, ``BETWEEN``), an
ORDER BY item and ``min``/``max`` of an enum value read the label's place in the type instead;
a quoted constant compared with one must be one of its labels (22P02, as PostgreSQL's enum input
says); casts to an enum type check their input the same way; ``enum_range``, ``enum_first`` and
``enum_last`` answer from the type's labels.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlglot import exp

from .column_types import SchemaOf, column_fields
from .constant_comparisons import COMPARISONS
from .enum_types import enum_of, label_position
from .rules.jsonb_comparisons import resolve_order_item
from .types import user_type_name

_ORDERING = (exp.GT, exp.GTE, exp.LT, exp.LTE)
ENUM_INPUT = "enum_in"
"""The local executor's function that checks text against an enum type's labels (22P02)."""


class _EnumValues:
    """Which expressions of a statement are enum values, and of which type."""

    def __init__(self, tree: exp.Expression, schema_of: SchemaOf, enums: Mapping[str, list[str]]) -> None:
        self.fields = column_fields(tree, schema_of)
        self.enums = enums

    def type_of(self, node: exp.Expression) -> tuple[str, list[str]] | None:
        """(type name, labels) of an enum value: a column of an enum type or a cast to one."""
        while isinstance(node, exp.Paren):
            node = node.this
        if isinstance(node, exp.Column):
            field = self.fields.get(node.table, {}).get(node.name)
            return enum_of(field) if field is not None else None
        if isinstance(node, exp.Cast):
            name = cast_enum_name(node, self.enums)
            return (name, list(self.enums[name])) if name is not None else None
        return None

    def first_type(self, nodes: list[exp.Expression]) -> tuple[str, list[str]] | None:
        """The enum type of the first of ``nodes`` that is an enum value (the type they all read as)."""
        return next((found for found in map(self.type_of, nodes) if found is not None), None)


def cast_enum_name(cast: exp.Cast, enums: Mapping[str, list[str]]) -> str | None:
    """The enum type a cast names, or None."""
    to = cast.args.get("to")
    if not isinstance(to, exp.DataType) or to.this != exp.DataType.Type.USERDEFINED:
        return None
    name = user_type_name(to)
    return name if name in enums else None


def _position(node: exp.Expression, enum: tuple[str, list[str]]) -> exp.Expression:
    """The label's 1-based place in its type: a number for a quoted constant (checked), a CASE for
    any other value (NULL stays NULL)."""
    name, labels = enum
    value = node.this if isinstance(node, exp.Cast) and cast_enum_name(node, {name: labels}) else node
    if isinstance(value, exp.Literal) and value.is_string:
        return exp.Literal.number(label_position(labels, value.this, name))
    return _mapped(
        value.copy(), [(exp.Literal.string(label), exp.Literal.number(i)) for i, label in enumerate(labels, 1)]
    )


def _label_at(position: exp.Expression, labels: list[str]) -> exp.Expression:
    """The label at a computed place (``max`` of places back to the label it names)."""
    return _mapped(position, [(exp.Literal.number(i), exp.Literal.string(label)) for i, label in enumerate(labels, 1)])


def _mapped(value: exp.Expression, pairs: list[tuple[exp.Expression, exp.Expression]]) -> exp.Case:
    """``CASE value WHEN a THEN b ... END`` (NULL for anything else)."""
    return exp.Case(this=value, ifs=[exp.If(this=when, true=then) for when, then in pairs])


def _check_constants(constants: list[exp.Expression], enum: tuple[str, list[str]]) -> None:
    """22P02 for a quoted constant that is none of the type's labels."""
    for constant in constants:
        if isinstance(constant, exp.Literal) and constant.is_string:
            label_position(enum[1], constant.this, enum[0])


def enum_expressions(
    tree: exp.Expression, schema_of: SchemaOf, enums: Mapping[str, list[str]], local_functions: bool = True
) -> bool:
    """Rewrite, in place, what reads enum values; True when anything was. ``enums``: the branch's
    enum types; ``local_functions``: whether casts may call the local executor's check."""
    if not enums:  # a column of an enum type needs its type: a branch without any has no enum values
        return False
    values = _EnumValues(tree, schema_of, enums)
    changed = False
    for node in list(tree.find_all(*COMPARISONS, exp.Between, exp.In)):
        changed = _comparison(node, values) or changed
    for order in list(tree.find_all(exp.Order)):
        changed = _order(order, values) or changed
    for aggregate in list(tree.find_all(exp.Min, exp.Max)):
        enum = values.type_of(aggregate.this)
        if enum is not None:
            rewritten = _label_at(type(aggregate)(this=_position(aggregate.this, enum)), enum[1])
            if isinstance(aggregate.parent, exp.Select):
                rewritten = exp.alias_(rewritten, aggregate.sql_name().lower())
            aggregate.replace(rewritten)
            changed = True
    for call in list(tree.find_all(exp.Anonymous)):
        changed = _support_function(call, values) or changed
    for cast in list(tree.find_all(exp.Cast)):
        name = cast_enum_name(cast, enums)
        if name is not None:
            cast.replace(_enum_input(cast.this, name, enums[name], local_functions))
            changed = True
    return changed


def _order(order: exp.Order, values: _EnumValues) -> bool:
    """ORDER BY items that are enum values sort by their labels' places, in a query (where an item
    may name an output column or its ordinal), a window or an aggregate."""
    select = order.parent if isinstance(order.parent, exp.Select) else None
    changed = False
    for ordered in order.expressions:
        target = resolve_order_item(ordered.this, select, by_output_name=True) if select is not None else ordered.this
        enum = values.type_of(target)
        if enum is not None:
            ordered.set("this", _position(target, enum))
            changed = True
    return changed


def _comparison(node: exp.Expression, values: _EnumValues) -> bool:
    if isinstance(node, exp.In):
        enum = values.type_of(node.this)
        if enum is not None:
            _check_constants(node.expressions, enum)
        return False
    if isinstance(node, exp.Between):
        operands = [node.this, node.args["low"], node.args["high"]]
    else:
        operands = [node.this, node.expression]
    enum = values.first_type(operands)
    if enum is None:
        return False
    _check_constants(operands, enum)
    if not isinstance(node, (*_ORDERING, exp.Between)):
        return False
    for operand in operands:
        if values.type_of(operand) is not None or (isinstance(operand, exp.Literal) and operand.is_string):
            operand.replace(_position(operand, enum))
    return True


def _support_function(call: exp.Anonymous, values: _EnumValues) -> bool:
    """enum_range(x), enum_range(a, b), enum_first(x), enum_last(x): from the type's labels."""
    name = call.name.lower()
    if name not in ("enum_range", "enum_first", "enum_last") or not call.expressions:
        return False
    enum = values.first_type(call.expressions)
    if enum is None:
        return False
    type_name, labels = enum
    if name == "enum_first":
        answer: exp.Expression = exp.Literal.string(labels[0]) if labels else exp.null()
    elif name == "enum_last":
        answer = exp.Literal.string(labels[-1]) if labels else exp.null()
    else:
        bounds = [_constant_label(arg) for arg in call.expressions[:2]] if len(call.expressions) == 2 else []
        low = label_position(labels, bounds[0], type_name) - 1 if bounds and bounds[0] is not None else 0
        high = label_position(labels, bounds[1], type_name) if bounds and bounds[1] is not None else len(labels)
        answer = exp.Array(expressions=[exp.Literal.string(label) for label in labels[low:high]])
    call.replace(exp.alias_(answer, name) if isinstance(call.parent, exp.Select) else answer)
    return True


def _constant_label(node: exp.Expression) -> str | None:
    """The label a constant argument names (``'ok'::mood``); None for NULL."""
    value = node.this if isinstance(node, exp.Cast) else node
    return value.this if isinstance(value, exp.Literal) and value.is_string else None


def _enum_input(value: exp.Expression, name: str, labels: list[str], local_functions: bool) -> exp.Expression:
    """``value::type``: a quoted constant checked now, NULL as text, any other value checked row by
    row by the local executor (the compilers for Dask and Polars take it as text)."""
    if isinstance(value, exp.Literal) and value.is_string:
        label_position(labels, value.this, name)
        return value.copy()
    text = exp.Cast(this=value.copy(), to=exp.DataType.build("text"))
    if isinstance(value, exp.Null) or not local_functions:
        return text
    return exp.Anonymous(
        this=ENUM_INPUT, expressions=[text, exp.Literal.string(name), exp.Literal.string(json.dumps(labels))]
    )
