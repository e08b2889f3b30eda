"""PostgreSQL's functions that build JSON from SQL values, as the DataFusion functions of
``executors/local/json_functions`` (texts made by ``executors/local/json_text``).

Each argument is handed over as its *json text* (what ``to_json`` of it prints): a json or jsonb
value as it is, a whole-row reference (``sql.whole_rows``) as a ``json_record`` of its columns, an
array as its element texts, any other value as its text with its ``arrow_typeof``. Aggregates
collect those texts with ``array_agg`` (which keeps ORDER BY and FILTER, and answers NULL over no
rows, as PostgreSQL's JSON aggregates do) and a scalar function prints the list:

    jsonb_agg(x ORDER BY y) FILTER (WHERE c)
        ->  json_agg_of(array_agg(json_value(x::text, arrow_typeof(x)) ORDER BY y) FILTER (WHERE c), true, false)

With DISTINCT the values themselves are collected (PostgreSQL compares and sorts them, not their
JSON), sorted as PostgreSQL sorts them for DISTINCT, and turned into texts afterwards. Results carry
their json/jsonb type (``JSON_TYPE``) so the wire sends OID 114 or 3802, and keep PostgreSQL's
output name.
"""

from __future__ import annotations

from typing import Callable

import pyarrow as pa
from sqlglot import exp

from ...errors import DataError, NotSupportedError, ProgrammingError
from ..column_types import SchemaOf, column_fields
from ..jsonb_types import JSON, JSON_TYPE, JSONB, JsonTypes
from ..types import TYPE_KEY
from ..whole_rows import source_expression, whole_row
from .column_names import PG_NAME
from .jsonb_operators import call, text_array_literal

_VARCHAR = exp.DataType.build("VARCHAR")
_VARCHAR_ARRAY = exp.DataType.build("VARCHAR[]", dialect="postgres")
_TEXT_VALUED = (b"vector", b"halfvec", b"sparsevec")
"""Types whose to_json is their text as a string (PostgreSQL's JSONTYPE_OTHER) but that DataFusion holds as lists."""
_AGGREGATES = {"json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg"}
_SCALARS = {
    "to_json",
    "to_jsonb",
    "row_to_json",
    "array_to_json",
    "json_build_object",
    "jsonb_build_object",
    "json_build_array",
    "jsonb_build_array",
    "jsonb_insert",
}
_SPELLINGS = {
    exp.JSONArrayAgg: "json_agg",
    exp.JSONObjectAgg: "json_object_agg",
    exp.JSONBObjectAgg: "jsonb_object_agg",
}


def _spelling(node: exp.Expression) -> tuple[str, list[exp.Expression]] | None:
    """(PostgreSQL's function name, arguments) of a call this rule rewrites, however sqlglot parsed it."""
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        return (name, list(node.expressions)) if name in _AGGREGATES | _SCALARS else None
    name = _SPELLINGS.get(type(node))
    if name is None:
        return None
    if isinstance(node, exp.JSONBObjectAgg):
        return name, [node.this, node.expression]
    return name, list(node.expressions) if isinstance(node, exp.JSONObjectAgg) else [node.this]


def _strings(values: list[str]) -> exp.Expression:
    return call("make_array", *(exp.Literal.string(v) for v in values))


def _texts(values: list[exp.Expression]) -> exp.Expression:
    return call("make_array", *(exp.Cast(this=v, to=_VARCHAR.copy()) for v in values))


class _Builder:
    def __init__(self, tree: exp.Expression, schema_of: SchemaOf) -> None:
        self.types = JsonTypes(tree, schema_of)
        self.fields = column_fields(tree, schema_of)
        self.schema_of = schema_of

    def row(self, node: exp.Expression):
        """A row's (name, value) pairs: a table's whole row, or ``ROW(a, b)`` (fields f1, f2, ...)."""
        if (isinstance(node, exp.Anonymous) and node.name.upper() == "ROW") or isinstance(node, exp.Tuple):
            return [(f"f{i}", value) for i, value in enumerate(node.expressions, 1)]
        return whole_row(node, self.schema_of)

    def is_array(self, node: exp.Expression, scope: exp.Select | None) -> bool:
        """Whether ``node`` (read in ``scope``) is an array PostgreSQL would print as a JSON array
        (not a vector)."""
        while isinstance(node, exp.Paren):
            node = node.this
        if isinstance(node, (exp.Array, exp.ArrayAgg)):
            return True
        if isinstance(node, exp.Cast):
            return node.to.is_type(exp.DataType.Type.ARRAY) or bool(node.to.args.get("nested"))
        field = self.field(node)
        if field is not None:
            return pa.types.is_list(field.type) or pa.types.is_large_list(field.type)
        source = source_expression(node, scope, self.schema_of) if isinstance(node, exp.Column) else None
        return source is not None and self.is_array(*source)

    def field(self, node: exp.Expression) -> pa.Field | None:
        """The catalog's field of a column reference."""
        return self.fields.get(node.table, {}).get(node.name) if isinstance(node, exp.Column) else None

    def text(self, node: exp.Expression, scope: exp.Select | None = None) -> exp.Expression:
        """The json text of ``node``'s value (NULL stays NULL), read in ``scope`` (by default where
        ``node`` is); ``node`` itself is left where it is."""
        scope = scope or node.find_ancestor(exp.Select)
        if self.types.of(node):
            return node.copy()
        fields = self.row(node)
        if fields is not None:
            values = [self.text(column, scope) for _, column in fields]
            return call("json_record", _strings([name for name, _ in fields]), _texts(values))
        node = node.copy()
        if self.is_array(node, scope):
            return call(
                "json_array_value", exp.Cast(this=node, to=_VARCHAR_ARRAY.copy()), call("arrow_typeof", node.copy())
            )
        field = self.field(node)
        if field is not None and (field.metadata or {}).get(TYPE_KEY) in _TEXT_VALUED:
            # a vector's text ('[1,2]', made by vector_expressions from the cast) as a JSON string
            return call("json_value", exp.Cast(this=node, to=_VARCHAR.copy()), exp.Literal.string("Utf8"))
        return call("json_value", exp.Cast(this=node, to=_VARCHAR.copy()), call("arrow_typeof", node.copy()))

    def structured(self, node: exp.Expression) -> bool:
        return self.row(node) is not None or self.is_array(node, node.find_ancestor(exp.Select))

    def key(self, node: exp.Expression) -> exp.Expression:
        if self.types.of(node):
            raise DataError("key value must be scalar, not array, composite, or json", sqlstate="22023")
        return self.text(node)

    # scalar functions ------------------------------------------------------------------
    def scalar(self, name: str, args: list[exp.Expression]) -> exp.Expression:
        jsonb = "jsonb" in name
        if name in ("to_json", "to_jsonb") and len(args) == 1:
            if jsonb and self.types.of(args[0]) == JSONB:
                return args[0]
            return call("jsonb_in", self.text(args[0])) if jsonb else exp.Cast(this=self.text(args[0]), to=_VARCHAR)
        if name == "row_to_json" and len(args) in (1, 2):
            _refuse_pretty(name, args)
            if self.row(args[0]) is None:
                raise ProgrammingError(
                    "function row_to_json does not exist: its argument must be a row", sqlstate="42883"
                )
            return self.text(args[0])
        if name == "array_to_json" and len(args) in (1, 2):
            _refuse_pretty(name, args)
            return call(
                "json_array_value",
                exp.Cast(this=args[0], to=_VARCHAR_ARRAY.copy()),
                call("arrow_typeof", args[0].copy()),
            )
        if name.endswith("build_object"):
            if len(args) % 2:
                raise DataError("argument list must have even number of elements", sqlstate="22023")
            keys = _texts([self.key(a) for a in args[0::2]])
            return call(
                "json_build_object_of", keys, _texts([self.text(a) for a in args[1::2]]), exp.Boolean(this=jsonb)
            )
        if name.endswith("build_array"):
            return call("json_build_array_of", _texts([self.text(a) for a in args]), exp.Boolean(this=jsonb))
        if name == "jsonb_insert" and len(args) in (3, 4):
            after = args[3] if len(args) == 4 else exp.false()
            return call("jsonb_insert", args[0], text_array_literal(args[1]), args[2], after)
        raise ProgrammingError(f"function {name} with {len(args)} arguments does not exist", sqlstate="42883")

    # aggregates -------------------------------------------------------------------------
    def aggregate(self, name: str, args: list[exp.Expression], around: Callable) -> exp.Expression:
        """The aggregate as a function of an array_agg (``around`` adds its FILTER and OVER back)."""
        jsonb = exp.Boolean(this="jsonb" in name)
        order = None
        if args and isinstance(args[-1], exp.Order):
            order, args[-1] = args[-1], args[-1].this
        distinct = bool(args) and isinstance(args[0], exp.Distinct)
        if distinct:
            args = list(args[0].expressions)
        expected = 2 if "object" in name else 1
        if len(args) != expected:
            raise ProgrammingError(f"function {name} with {len(args)} arguments does not exist", sqlstate="42883")
        if expected == 2:
            if distinct:
                raise NotSupportedError(f"{name}(DISTINCT ...) is not supported", sqlstate="0A000")
            pair = call(
                "named_struct",
                exp.Literal.string("k"),
                exp.Cast(this=self.key(args[0]), to=_VARCHAR.copy()),
                exp.Literal.string("v"),
                exp.Cast(this=self.text(args[1]), to=_VARCHAR.copy()),
            )
            return call("json_object_agg_of", around(_array_agg(pair, order)), jsonb)
        value = args[0]
        if not distinct:
            collected = around(_array_agg(self.text(value), order))
            return call("json_agg_of", collected, jsonb, exp.Boolean(this=self.structured(value)))
        if self.types.of(value) == JSON:
            raise ProgrammingError("could not identify an equality operator for type json", sqlstate="42883")
        if self.types.of(value) or self.structured(value):
            raise NotSupportedError(f"{name}(DISTINCT ...) of a row, array or jsonb is not supported", sqlstate="0A000")
        # sorted after aggregating, as DISTINCT requires ORDER BY the value itself: DataFusion merges
        # array_agg(DISTINCT x ORDER BY x) with array_agg(DISTINCT x ORDER BY x DESC)
        ordered = order.expressions[0] if order is not None else exp.Ordered(this=value, nulls_first=False)
        if order is not None and (len(order.expressions) != 1 or ordered.this != value):
            raise ProgrammingError(
                "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list", sqlstate="42P10"
            )
        desc = bool(ordered.args.get("desc"))
        nulls_first = ordered.args.get("nulls_first")
        nulls_first = desc if nulls_first is None else bool(nulls_first)
        values = call(
            "array_sort",
            around(exp.ArrayAgg(this=exp.Distinct(expressions=[value]))),
            exp.Literal.string("DESC" if desc else "ASC"),
            exp.Literal.string("NULLS FIRST" if nulls_first else "NULLS LAST"),
        )
        elements = call(
            "json_array_elements_value",
            exp.Cast(this=values, to=_VARCHAR_ARRAY.copy()),
            call("arrow_typeof", values.copy()),
        )
        return call("json_agg_of", elements, jsonb, exp.false())


def _array_agg(value: exp.Expression, order: exp.Order | None) -> exp.Expression:
    if order is not None:
        value = exp.Order(this=value, expressions=order.expressions)
    return exp.ArrayAgg(this=value)


def _refuse_pretty(name: str, args: list[exp.Expression]) -> None:
    if len(args) == 2 and not (isinstance(args[1], exp.Boolean) and not args[1].this):
        raise NotSupportedError(f"{name} with pretty printing is not supported", sqlstate="0A000")


def json_construction(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, the JSON-building functions and aggregates; True when any was."""
    builder: _Builder | None = None
    changed = False
    for node in list(tree.walk(bfs=False))[::-1]:
        spelled = _spelling(node)
        if spelled is None:
            continue
        builder = builder or _Builder(tree, schema_of)
        name, args = spelled
        target = node
        if name in _AGGREGATES:
            where = target.parent.expression if isinstance(target.parent, exp.Filter) else None
            target = target.parent if where is not None else target
            window = target.parent if isinstance(target.parent, exp.Window) and target.arg_key == "this" else None
            target = window or target
            new = builder.aggregate(name, args, _Around(where, window))
        else:
            new = builder.scalar(name, args)
        new.meta[JSON_TYPE] = JSONB if "jsonb" in name else JSON
        new.meta[PG_NAME] = name  # the output name PostgreSQL gives it, also under a cast
        target.replace(new)
        changed = True
    return changed


class _Around:
    """What surrounded the aggregate call (FILTER, OVER), put around the array_agg replacing it."""

    def __init__(self, where: exp.Expression | None, window: exp.Window | None) -> None:
        self.where, self.window = where, window

    def __call__(self, agg: exp.Expression) -> exp.Expression:
        if self.where is not None:
            agg = exp.Filter(this=agg, expression=self.where.copy())
        if self.window is not None:
            window = self.window.copy()
            window.set("this", agg)
            agg = window
        return agg
