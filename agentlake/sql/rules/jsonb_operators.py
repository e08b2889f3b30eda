"""PostgreSQL's jsonb operators and functions as the DataFusion functions agentlake registers
(``executors/local/json_functions``).

Some spellings mean something else on other types (``||`` concatenates text, ``-`` subtracts,
``@>`` is array containment), so this rule asks ``JsonTypes`` which operands are jsonb; it runs
with the catalog's column types (``engine.typed_rewrites``). A rewritten select item keeps the
output name PostgreSQL gives it (``?column?``, ``jsonb_extract_path``). The functions that build
jsonb from SQL values (to_jsonb, jsonb_build_object, jsonb_agg) are ``json_construction``'s.
"""

from __future__ import annotations

from sqlglot import exp

from ...errors import NotSupportedError
from ..column_types import SchemaOf
from ..jsonb_types import JSONB, JsonTypes
from ..trees import is_array_value
from .column_names import PG_NAME, pg_name

_VARCHAR = exp.DataType.build("VARCHAR")


def call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def is_unknown(node: exp.Expression) -> bool:
    """A literal PostgreSQL types by its context (``'{"a": 1}'``, NULL, a bound parameter)."""
    return (isinstance(node, exp.Literal) and node.is_string) or isinstance(node, (exp.Null, exp.Placeholder))


def text_array_literal(node: exp.Expression) -> exp.Expression:
    """A text[] operand (``'{a,b}'`` or ``ARRAY['a', 'b']``) as the PostgreSQL literal text the
    JSON functions read."""
    if isinstance(node, exp.Cast) and is_array_value(node):  # '{a,b}'::text[], ARRAY['a']::text[]
        return text_array_literal(node.this)
    if isinstance(node, exp.Array) and all(isinstance(e, exp.Literal) for e in node.expressions):
        quoted = ['"' + e.name.replace("\\", "\\\\").replace('"', '\\"') + '"' for e in node.expressions]
        return exp.Literal.string("{" + ",".join(quoted) + "}")
    if isinstance(node, exp.Array):
        return call(
            "concat",
            exp.Literal.string("{"),
            call("array_to_string", node, exp.Literal.string(",")),
            exp.Literal.string("}"),
        )
    return node


def written_subscript(index: exp.Expression) -> exp.Expression:
    """A subscript as written: sqlglot reads PostgreSQL's array subscripts as 1-based and takes 1
    off an integer constant (``x[1]`` is its ``x[0]``), which its generator adds back for arrays;
    a jsonb subscript (0-based: ``meta[0]`` is the first element, ``meta[-1]`` the last) or an
    assignment's, which no generator sees as such, gets its 1 back here."""
    negative = isinstance(index, exp.Neg)
    literal = index.this if negative else index
    if not (isinstance(literal, exp.Literal) and literal.is_int):
        return index
    value = (-int(literal.this) if negative else int(literal.this)) + 1
    return exp.Literal.number(value) if value >= 0 else exp.Neg(this=exp.Literal.number(-value))


def _strip_jsonpath_cast(node: exp.Expression) -> exp.Expression:
    if (
        isinstance(node, exp.Cast)
        and node.to.this == exp.DataType.Type.USERDEFINED
        and str(node.to.args.get("kind", "")).lower() == "jsonpath"
    ):
        return node.this
    return node


class _Rewriter:
    def __init__(self, types: JsonTypes) -> None:
        self.types = types

    def is_jsonb_operand(self, node: exp.Expression, other: exp.Expression) -> bool:
        """Whether a binary operator over these operands is jsonb's: one side jsonb, the other jsonb or unknown."""
        mine, theirs = self.types.of(node), self.types.of(other)
        return (mine == JSONB and (theirs == JSONB or is_unknown(other))) or (theirs == JSONB and is_unknown(node))

    def rewrite(self, node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.JSONBContainsTopKey):
            return call("jsonb_exists", node.this, node.expression)
        if isinstance(node, exp.JSONBExists):
            return call("jsonb_exists", node.this, node.args["path"])
        if isinstance(node, exp.JSONBPathExists):  # jsonb @? jsonpath: errors suppressed, as the operator does
            path = _strip_jsonpath_cast(node.expression)
            return call("jsonb_path_exists", node.this, path, exp.Literal.string("{}"), exp.true())
        if isinstance(node, exp.JSONBContainsAnyTopKeys):
            return call("jsonb_exists_any", node.this, text_array_literal(node.expression))
        if isinstance(node, exp.JSONBContainsAllTopKeys):
            return call("jsonb_exists_all", node.this, text_array_literal(node.expression))
        if isinstance(node, (exp.ArrayContainsAll, exp.ArrayContainedBy)) and (
            JSONB in (self.types.of(node.this), self.types.of(node.expression))
            or (is_unknown(node.this) and is_unknown(node.expression))
        ):
            name = "json_contains" if isinstance(node, exp.ArrayContainsAll) else "jsonb_contained"
            return call(name, node.this, node.expression)
        if isinstance(node, exp.DPipe) and self.is_jsonb_operand(node.this, node.expression):
            return call("jsonb_concat", node.this, node.expression)
        if isinstance(node, exp.Sub) and self.types.of(node.this) == JSONB:
            return self._delete(node.this, node.expression)
        if isinstance(node, exp.Bracket) and len(node.expressions) == 1 and self.types.of(node.this) == JSONB:
            got = call("json_get", node.this, written_subscript(node.expressions[0]))  # meta['key'], meta[0]
            got.meta[PG_NAME] = pg_name(node)  # meta['a'][0] is "meta"
            return got
        if isinstance(node, exp.JSONBDeleteAtPath):
            return call("jsonb_delete_path", node.this, text_array_literal(node.expression))
        if isinstance(node, exp.Anonymous):
            return self._function(node.name.lower(), node.expressions, node)
        return node

    def _delete(self, document: exp.Expression, operand: exp.Expression) -> exp.Expression:
        if is_array_value(operand):
            return call("jsonb_delete", document, text_array_literal(operand), exp.Literal.string("List"))
        return call("jsonb_delete", document, exp.Cast(this=operand.copy(), to=_VARCHAR), call("arrow_typeof", operand))

    def _function(self, name: str, args: list, node: exp.Expression) -> exp.Expression:
        if name == "jsonb_set" and len(args) in (3, 4):
            create = args[3] if len(args) == 4 else exp.true()
            return call("jsonb_set", args[0], text_array_literal(args[1]), args[2], create)
        if name in _PATH_FUNCTIONS and 2 <= len(args) <= 4:
            variables = args[2] if len(args) > 2 else exp.Literal.string("{}")
            silent = args[3] if len(args) > 3 else exp.false()
            return call(name, args[0], _strip_jsonpath_cast(args[1]), variables, silent)
        if name == "jsonb_extract_path" and args:
            return call("json_get_path", args[0], text_array_literal(exp.Array(expressions=args[1:])))
        if name == "jsonb_extract_path_text" and args:
            return call("json_get_path_text", args[0], text_array_literal(exp.Array(expressions=args[1:])))
        if name in ("jsonb_exists_any", "jsonb_exists_all") and len(args) == 2:
            return call(name, args[0], text_array_literal(args[1]))
        if name in _SET_RETURNING and len(args) == 1:
            if isinstance(
                node.find_ancestor(exp.Select, exp.From, exp.Join, exp.Lateral), (exp.From, exp.Join, exp.Lateral)
            ):
                raise NotSupportedError(
                    f"{name} in FROM is not supported yet: call it in the select list", sqlstate="0A000"
                )
            return exp.Unnest(expressions=[call(_SET_RETURNING[name], args[0])])
        return node


_PATH_FUNCTIONS = frozenset(
    {"jsonb_path_exists", "jsonb_path_match", "jsonb_path_query_first", "jsonb_path_query_array"}
)


_SET_RETURNING = {
    "jsonb_array_elements": "jsonb_array_list",
    "jsonb_array_elements_text": "jsonb_array_text_list",
    "jsonb_each": "jsonb_each_records",
    "jsonb_each_text": "jsonb_each_text_records",
}
"""Set-returning functions in a select list: one row per element (jsonb_each's rows as record text)."""


def jsonb_operators(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, jsonb operators and functions; True when any was."""
    types = JsonTypes(tree, schema_of)
    rewriter = _Rewriter(types)
    changed = False
    for node in list(tree.walk(bfs=False))[::-1]:
        new = rewriter.rewrite(node)
        if new is node:
            continue
        changed = True
        if isinstance(node.parent, exp.Select) and node.arg_key == "expressions":
            new.meta[PG_NAME] = "?column?" if isinstance(node, exp.Binary) else pg_name(node)
        node.replace(new)
    return changed
