"""SQL/JSON path (PostgreSQL's ``jsonpath``) for jsonb_path_exists, jsonb_path_match and
jsonb_path_query_first.

JSONPath libraries for Python (jsonpath-ng, RFC 9535) implement Goessner's JSONPath, whose
filters, comparisons and missing-value rules differ from SQL/JSON path's; so this module parses
SQL/JSON path with a grammar (lark) and evaluates it with PostgreSQL's semantics, in lax mode:

- accessors (``.key``, ``."key"``, ``.*``, ``[*]``, ``[n]``) unwrap arrays one level, and a
  missing key or a wrong kind of item gives no item rather than an error;
- comparisons (``== != <> < <= > >=``), ``like_regex``, ``starts with`` and ``exists`` are
  predicates with three values: true when any pair of items satisfies them, unknown when none
  does and some pair cannot be compared (items of different kinds, arrays, objects), else
  false; ``null`` equals only ``null`` and differs from everything else;
- ``&&``, ``||``, ``!`` and ``is unknown`` combine them as SQL does; ``? (...)`` keeps the
  items whose filter is true; ``$name`` reads the ``vars`` object;
- ``.size()`` and ``.type()`` are the only item methods.

This is the subset LangChain and LlamaIndex emit (``$.key == $value``). Everything else
(strict mode, arithmetic, ``last`` and ranges in subscripts, other methods, ``**``) is refused
with 0A000 rather than guessed.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError

from ...errors import DataError, NotSupportedError, ProgrammingError
from .jsonb_values import JsonValue, kind

_GRAMMAR = r"""
start: ["lax"i] disjunction

?disjunction: conjunction | disjunction "||" conjunction -> or_
?conjunction: negation | conjunction "&&" negation -> and_
?negation: "!" "(" disjunction ")" -> not_
         | predicate
?predicate: value COMPARISON value -> compare
          | "exists"i "(" value ")" -> exists
          | "(" disjunction ")" "is"i "unknown"i -> is_unknown
          | "(" disjunction ")"
          | value "like_regex"i STRING ["flag"i STRING] -> like_regex
          | value "starts"i "with"i prefix -> starts_with
          | value

?prefix: STRING -> string
       | VARIABLE -> variable

value: primary accessor*
?primary: "$" -> root
        | "@" -> current
        | VARIABLE -> variable
        | STRING -> string
        | NUMBER -> number
        | "true"i -> true
        | "false"i -> false
        | "null"i -> null

?accessor: "." KEY -> member
         | "." STRING -> member
         | "." "*" -> any_member
         | "[" "*" "]" -> any_element
         | "[" INT ("," INT)* "]" -> elements
         | "?" "(" disjunction ")" -> filter
         | "." METHOD "(" ")" -> method

METHOD.2: /(size|type)(?=\s*\()/
COMPARISON: "==" | "!=" | "<>" | "<=" | ">=" | "<" | ">"
VARIABLE: /\$[A-Za-z_][A-Za-z0-9_]*/
KEY: /[A-Za-z_][A-Za-z0-9_]*/
STRING: /"(?:[^"\\]|\\.)*"/
NUMBER: /-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/
INT: /-?\d+/
%import common.WS
%ignore WS
"""
_PARSER = Lark(_GRAMMAR, parser="lalr")
_PREDICATES = {"or_", "and_", "not_", "compare", "exists", "is_unknown", "like_regex", "starts_with"}
_UNKNOWN = None
"""A predicate's third value."""


class _Tree(Transformer):
    """lark's tree as nested tuples: (operation, *operands)."""

    def start(self, items):
        return items[-1]

    def value(self, items):
        return ("path", items[0], tuple(items[1:]))

    def __default__(self, data, children, meta):
        return (data, *children)

    def __default_token__(self, token: Token):
        convert = {
            "STRING": json.loads,
            "NUMBER": Decimal,
            "INT": int,
            "VARIABLE": lambda t: str(t)[1:],
            "COMPARISON": lambda t: "!=" if t == "<>" else str(t),
        }.get(token.type, str)
        return convert(token)


@lru_cache(maxsize=512)
def compile_path(text: str) -> tuple:
    """The parsed path (cached by its text); a path outside the supported subset is 0A000."""
    stripped = text.strip()
    if re.match(r"strict\b", stripped, re.I):
        raise NotSupportedError("[SQLSTATE 0A000] strict mode jsonpath is not supported", sqlstate="0A000")
    try:
        return _Tree().transform(_PARSER.parse(stripped))
    except LarkError:
        raise NotSupportedError(
            f"[SQLSTATE 0A000] jsonpath expression is not supported (agentlake reads comparisons, like_regex, "
            f"starts with, exists, &&, ||, ! and filters over $, @ and $variables): {text}",
            sqlstate="0A000",
        ) from None


class _Context:
    def __init__(self, root: JsonValue, variables: dict) -> None:
        self.root = root
        self.variables = variables


def evaluate(path: tuple, document: JsonValue, variables: JsonValue) -> list:
    """The items a path yields; a predicate at the top yields its one truth value (None: unknown)."""
    if variables is None:
        variables = {}
    if not isinstance(variables, dict):
        raise DataError('[SQLSTATE 22023] "vars" argument is not an object', sqlstate="22023")
    context = _Context(document, variables)
    if path[0] in _PREDICATES:
        return [_predicate(path, context, None)]
    return _items(path, context, None)


def path_exists(document: JsonValue, text: str, variables: JsonValue) -> bool:
    """jsonb_path_exists: whether the path yields any item."""
    return bool(evaluate(compile_path(text), document, variables))


def path_query(document: JsonValue, text: str, variables: JsonValue) -> list[JsonValue]:
    """jsonb_path_query and jsonb_path_query_array: every item the path yields, in order."""
    return evaluate(compile_path(text), document, variables)


def path_query_first(document: JsonValue, text: str, variables: JsonValue) -> tuple[JsonValue, ...]:
    """jsonb_path_query_first: the path's first item, as a one-item tuple (empty when it yields
    none, which is SQL NULL; a JSON null item is ``(None,)``)."""
    return tuple(path_query(document, text, variables)[:1])


def path_match(document: JsonValue, text: str, variables: JsonValue) -> bool | None:
    """jsonb_path_match: the path's single boolean (None for SQL NULL)."""
    items = evaluate(compile_path(text), document, variables)
    if len(items) != 1 or not (items[0] is None or isinstance(items[0], bool)):
        raise DataError("[SQLSTATE 22038] single boolean result is expected", sqlstate="22038")
    return items[0]


def _unwrap(items: list) -> list:
    out = []
    for item in items:
        out.extend(item if isinstance(item, list) else [item])
    return out


def _items(node: tuple, context: _Context, current: Any) -> list:
    op = node[0]
    if op in _PREDICATES:
        return [_predicate(node, context, current)]
    if op != "path":
        raise NotSupportedError(f"[SQLSTATE 0A000] jsonpath item {op} is not supported", sqlstate="0A000")
    items = _primary(node[1], context, current)
    for accessor in node[2]:
        items = _access(accessor, items, context)
    return items


def _primary(node: tuple, context: _Context, current: Any) -> list:
    op = node[0]
    if op == "root":
        return [context.root]
    if op == "current":
        if current is None:
            raise ProgrammingError("[SQLSTATE 42601] @ is not allowed in root expressions", sqlstate="42601")
        return [current[0]]
    if op == "variable":
        if node[1] not in context.variables:
            raise ProgrammingError(f'[SQLSTATE 42704] could not find jsonpath variable "{node[1]}"', sqlstate="42704")
        return [context.variables[node[1]]]
    return [
        {
            "string": lambda: node[1],
            "number": lambda: node[1],
            "true": lambda: True,
            "false": lambda: False,
            "null": lambda: None,
        }[op]()
    ]


def _access(accessor: tuple, items: list, context: _Context) -> list:
    op = accessor[0]
    if op == "member":
        return [item[accessor[1]] for item in _unwrap(items) if isinstance(item, dict) and accessor[1] in item]
    if op == "any_member":
        return [value for item in _unwrap(items) if isinstance(item, dict) for value in item.values()]
    if op == "any_element":
        return _unwrap(items)
    if op == "elements":
        out = []
        for item in items:
            array = item if isinstance(item, list) else [item]
            out.extend(array[i] for i in accessor[1:] if 0 <= i < len(array))
        return out
    if op == "filter":
        return [item for item in _unwrap(items) if _predicate(accessor[1], context, (item,)) is True]
    if accessor[1] == "size":
        return [len(item) if isinstance(item, list) else 1 for item in items]
    return [kind(item) for item in items]


def _predicate(node: tuple, context: _Context, current: Any) -> bool | None:
    op = node[0]
    if op == "or_":
        left = _predicate(node[1], context, current)
        if left is True:
            return True
        right = _predicate(node[2], context, current)
        return True if right is True else (_UNKNOWN if _UNKNOWN in (left, right) else False)
    if op == "and_":
        left = _predicate(node[1], context, current)
        if left is False:
            return False
        right = _predicate(node[2], context, current)
        return False if right is False else (_UNKNOWN if _UNKNOWN in (left, right) else True)
    if op == "not_":
        inner = _predicate(node[1], context, current)
        return _UNKNOWN if inner is _UNKNOWN else not inner
    if op == "is_unknown":
        return _predicate(node[1], context, current) is _UNKNOWN
    if op == "exists":
        return bool(_items(node[1], context, current))
    if op == "path":
        raise NotSupportedError("[SQLSTATE 0A000] a jsonpath filter must be a predicate", sqlstate="0A000")
    left = _unwrap(_items(node[1], context, current))
    if op == "compare":
        rights = _unwrap(_items(node[3], context, current))
        return _any(_compare(node[2], a, b) for a in left for b in rights)
    if op == "like_regex":
        pattern = _regex(node[2], node[3] if len(node) > 3 else None)
        return _any(bool(pattern.search(a)) if isinstance(a, str) else _UNKNOWN for a in left)
    prefix = _primary(node[2], context, current)[0]
    return _any(a.startswith(prefix) if isinstance(a, str) and isinstance(prefix, str) else _UNKNOWN for a in left)


def _any(results) -> bool | None:
    """Existence semantics (lax mode): true at the first true, else unknown if any was, else false."""
    unknown = False
    for result in results:
        if result is True:
            return True
        unknown |= result is _UNKNOWN
    return _UNKNOWN if unknown else False


@lru_cache(maxsize=256)
def _regex(pattern: str, flags: str | None) -> re.Pattern:
    options = 0
    for flag in flags or "":
        if flag not in "ismxq":
            raise ProgrammingError(
                f"[SQLSTATE 42601] invalid input syntax for type jsonpath: unrecognized flag "
                f'character "{flag}" in LIKE_REGEX predicate',
                sqlstate="42601",
            )
        options |= {"i": re.I, "s": re.S, "m": re.M, "x": re.X, "q": 0}[flag]
    return re.compile(re.escape(pattern) if "q" in (flags or "") else pattern, options)


def _compare(op: str, a: JsonValue, b: JsonValue) -> bool | None:
    """PostgreSQL's compareItems: null against a non-null is only unequal; other kinds differ: unknown."""
    ka, kb = kind(a), kind(b)
    if ka != kb:
        if "null" in (ka, kb):
            return op == "!="
        return _UNKNOWN
    if ka in ("array", "object"):
        return _UNKNOWN
    if ka == "string":
        a, b = a.encode("utf-8"), b.encode("utf-8")  # code point order, as PostgreSQL under UTF-8
    elif ka == "null":
        a = b = 0
    order = (a > b) - (a < b)
    return {"==": order == 0, "!=": order != 0, "<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[op]
