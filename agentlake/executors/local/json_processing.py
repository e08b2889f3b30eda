"""PostgreSQL's functions that transform one JSON document: json(b)_strip_nulls, jsonb_pretty and
jsonb_insert, with PostgreSQL 16's output text and errors.

jsonb works over parsed values (``jsonb_values``); json keeps what its text says, so
json_strip_nulls reads the text keeping each number as written and repeated keys, and prints it
back without spaces, as PostgreSQL's token-by-token rewrite does.
"""

from __future__ import annotations

import json

from ...errors import function_error
from .json_text import quote
from .jsonb_operations import array_position, check_settable_path
from .jsonb_values import JsonValue, render, storage_order


class _Number(str):
    """A json number token kept as written (``1e2`` stays ``1e2``)."""


class _Pairs(list):
    """A json object's (key, value) pairs in their order, repeated keys kept."""


def _strip(value: JsonValue) -> JsonValue:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if v is not None}
    if isinstance(value, _Pairs):
        return _Pairs((k, _strip(v)) for k, v in value if v is not None)
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def jsonb_strip_nulls(value: JsonValue) -> JsonValue:
    """Object fields whose value is null removed, at any depth (nulls in arrays stay)."""
    return _strip(value)


def json_strip_nulls(text: str) -> str:
    """json_strip_nulls: the document without null fields, printed without whitespace."""
    return _compact(_strip(json.loads(text, object_pairs_hook=_Pairs, parse_int=_Number, parse_float=_Number)))


def _compact(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _Number):
        return str(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, _Pairs):
        return "{" + ",".join(f"{quote(k)}:{_compact(v)}" for k, v in value) + "}"
    return "[" + ",".join(_compact(v) for v in value) + "]"


def jsonb_pretty(value: JsonValue, depth: int = 0) -> str:
    """jsonb_pretty: four spaces per level, empty containers still broken over two lines."""
    if not isinstance(value, (list, dict)):
        return render(value)
    inner, outer = "    " * (depth + 1), "    " * depth
    if isinstance(value, list):
        items = [inner + jsonb_pretty(v, depth + 1) for v in value]
        return "[\n" + ",\n".join(items) + ("\n" if items else "") + outer + "]"
    items = [f"{inner}{render(k)}: {jsonb_pretty(value[k], depth + 1)}" for k in sorted(value, key=storage_order)]
    return "{\n" + ",\n".join(items) + ("\n" if items else "") + outer + "}"


def jsonb_insert(document: JsonValue, path: list[str | None], new: JsonValue, after: bool) -> JsonValue:
    """jsonb_insert: ``new`` before (``after``: after) the array element at ``path``, or as a new
    key of an object (an existing key is 22023); a missing step before the last changes nothing."""
    check_settable_path(document, path)
    return _insert(document, path, 1, new, after) if path else document


def _insert(value: JsonValue, path: list[str], position: int, new: JsonValue, after: bool) -> JsonValue:
    step, last = path[position - 1], position == len(path)
    if isinstance(value, dict):
        if last:
            if step in value:
                raise function_error("22023", "cannot replace existing key")
            return {**value, step: new}
        return {**value, step: _insert(value[step], path, position + 1, new, after)} if step in value else value
    if isinstance(value, list):
        at = array_position(value, step, position)
        if last:
            at = min(max(at + (1 if after and 0 <= at < len(value) else 0), 0), len(value))
            return [*value[:at], new, *value[at:]]
        if not 0 <= at < len(value):
            return value
        return [*value[:at], _insert(value[at], path, position + 1, new, after), *value[at + 1 :]]
    return value
