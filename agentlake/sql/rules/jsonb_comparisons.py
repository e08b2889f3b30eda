"""jsonb compares, sorts, groups and deduplicates as PostgreSQL's jsonb B-tree does, not as text.

DataFusion sees jsonb as text, so ``(meta -> 'n') < '10'`` and ``ORDER BY meta -> 'n'`` put
9 after 10. This rule compares ``jsonb_sort_key(x)`` instead (bytes ordered as PostgreSQL
orders jsonb, see ``executors/local/jsonb_order``), for comparisons, IN, BETWEEN and ORDER BY.
GROUP BY a jsonb expression groups by its key and reads the expression as ``first_value``
of the group (equal keys are equal jsonb values: ``1.0`` and ``1`` fall in one group, as in
PostgreSQL); SELECT DISTINCT over jsonb becomes such a GROUP BY. PostgreSQL has no min/max
over jsonb, nor comparisons of jsonb with numbers or text, nor any over json (42883).
"""

from __future__ import annotations

from sqlglot import exp

from ...errors import ProgrammingError
from ..column_types import SchemaOf
from ..jsonb_types import JSON, JSONB, JsonTypes
from ..pg_deparse import COMPARISON_SYMBOLS
from .column_names import PG_NAME, pg_name
from .jsonb_operators import call, is_unknown
from .window_calls import AS_AGGREGATE

_COMPARISONS = {
    **COMPARISON_SYMBOLS,
    exp.NullSafeEQ: "=",
    exp.NullSafeNEQ: "<>",
}


def _key(node: exp.Expression) -> exp.Expression:
    return call("jsonb_sort_key", node)


def _operand_type(node: exp.Expression, types: JsonTypes) -> str | None:
    """A comparison operand's type where it rules out jsonb (None: jsonb or unknown, so comparable)."""
    json_type = types.of(node)
    if json_type:
        return json_type
    if isinstance(node, exp.Literal) and not node.is_string:
        return "integer" if node.this.lstrip("-").isdigit() else "numeric"
    if isinstance(node, exp.Boolean):
        return "boolean"
    if isinstance(node, (exp.JSONExtractScalar, exp.JSONBExtractScalar)):
        return "text"
    return None


class _Comparisons:
    def __init__(self, types: JsonTypes) -> None:
        self.types = types
        self.changed = False

    def is_jsonb(self, node: exp.Expression) -> bool:
        return self.types.of(node) == JSONB

    def comparison(self, node: exp.Binary) -> None:
        left, right = _operand_type(node.this, self.types), _operand_type(node.expression, self.types)
        if JSON in (left, right) or (JSONB in (left, right) and (left or "jsonb") != (right or "jsonb")):
            shown = [
                t or ("unknown" if is_unknown(n) else "jsonb") for t, n in ((left, node.this), (right, node.expression))
            ]
            raise ProgrammingError(
                f"operator does not exist: {shown[0]} {_COMPARISONS[type(node)]} {shown[1]}", sqlstate="42883"
            )
        if JSONB in (left, right):
            node.this.replace(_key(node.this.copy()))
            node.expression.replace(_key(node.expression.copy()))
            self.changed = True

    def listed(self, node: exp.Expression) -> None:
        """``x IN (...)`` and ``x BETWEEN a AND b`` over jsonb."""
        if not self.is_jsonb(node.this):
            return
        others = node.expressions if isinstance(node, exp.In) else [node.args["low"], node.args["high"]]
        for other in [node.this, *others]:
            other.replace(_key(other.copy()))
        self.changed = bool(others) or self.changed

    def aggregate(self, node: exp.Expression) -> None:
        if self.types.of(node.this) in (JSONB, JSON):
            raise ProgrammingError(
                f"function {node.sql_name().lower()}({self.types.of(node.this)}) does not exist", sqlstate="42883"
            )

    def distinct(self, select: exp.Select) -> None:
        """SELECT DISTINCT over jsonb as a GROUP BY every item, which ``group`` then keys."""
        distinct = select.args.get("distinct")
        if (
            distinct is None
            or distinct.args.get("on")
            or select.args.get("group")
            or any(item.find(exp.AggFunc, exp.Star) for item in select.expressions)
            or not any(self.is_jsonb(item) for item in select.expressions)
        ):
            return
        select.set("distinct", None)
        select.set("group", exp.Group(expressions=[item.unalias().copy() for item in select.expressions]))
        self.changed = True

    def group(self, select: exp.Select) -> None:
        group = select.args.get("group")
        if group is None:
            return
        grouped = []
        for item in group.expressions:
            target = resolve_order_item(item, select)
            if self.is_jsonb(target):
                grouped.append(target.copy())
                item.replace(_key(target.copy()))
        if not grouped:
            return
        self.changed = True
        for item in select.expressions:  # keep the names PostgreSQL gives items about to be rewritten
            if not isinstance(item, (exp.Alias, exp.Column, exp.Star)) and PG_NAME not in item.meta:
                item.meta[PG_NAME] = pg_name(item)
        # ORDER BY 1 or an output column's name reads the (rewritten) select item, not the input
        ordered = [
            o.this
            for o in (select.args.get("order") or exp.Order()).expressions
            if resolve_order_item(o.this, select, by_output_name=True) is o.this
        ]
        for part in [*select.expressions, select.args.get("having"), *ordered]:
            if part is not None:
                _read_first_value(part, grouped)

    def order(self, order: exp.Order) -> None:
        select = order.parent if isinstance(order.parent, exp.Select) else None
        for ordered in order.expressions:
            target = (
                resolve_order_item(ordered.this, select, by_output_name=True) if select is not None else ordered.this
            )
            if self.is_jsonb(target):
                ordered.set("this", _key(target.copy()))
                self.changed = True


def resolve_order_item(node: exp.Expression, select: exp.Select, by_output_name: bool = False) -> exp.Expression:
    """What an ORDER BY or GROUP BY item stands for: an ordinal names a select item, and so does an
    output alias (in ORDER BY, as in PostgreSQL, any output column's name, before an input column's)."""
    items = select.expressions
    if (
        isinstance(node, exp.Literal)
        and not node.is_string
        and node.this.isdigit()
        and 0 < int(node.this) <= len(items)
    ):
        return items[int(node.this) - 1].unalias()
    if isinstance(node, exp.Column) and not node.table:
        for item in items:
            if isinstance(item, exp.Alias) and item.alias == node.name:
                return item.this
            if by_output_name and not isinstance(item, (exp.Alias, exp.Star)) and pg_name(item) == node.name:
                return item
    return node


def _read_first_value(node: exp.Expression, grouped: list[exp.Expression]) -> None:
    """Grouped jsonb expressions outside aggregates read the group's first value (all are equal)."""
    if isinstance(node, exp.AggFunc):
        return
    if any(node == target for target in grouped):
        wrapped = exp.FirstValue(this=node.copy())
        wrapped.meta[AS_AGGREGATE] = True
        if isinstance(node.parent, exp.Select) and node.arg_key == "expressions":
            wrapped.meta[PG_NAME] = pg_name(node)
        node.replace(wrapped)
        return
    for child in list(node.iter_expressions()):
        _read_first_value(child, grouped)


def jsonb_comparisons(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, what compares jsonb; True when anything was."""
    types = JsonTypes(tree, schema_of)
    rule = _Comparisons(types)
    for node in list(tree.find_all(exp.Min, exp.Max)):
        rule.aggregate(node)
    for select in list(tree.find_all(exp.Select)):
        rule.distinct(select)
        rule.group(select)
    for node in list(tree.find_all(*_COMPARISONS)):
        rule.comparison(node)
    for node in list(tree.find_all(exp.In, exp.Between)):
        rule.listed(node)
    for order in list(tree.find_all(exp.Order)):
        rule.order(order)
    return rule.changed
