"""PostgreSQL's JSON operators and functions as DataFusion functions over jsonb text columns.

jsonb values are stored as their canonical text (``jsonb_values``); these functions parse per
row, which is fine for the document sizes agents store. The rewrite rules
(``sql/rules/jsonb_*``, ``sql/rules/postgres_functions``) turn PostgreSQL's spellings into calls
of the names registered here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import pyarrow as pa

from ...errors import DataError, NotSupportedError
from .json_processing import json_strip_nulls, jsonb_insert, jsonb_pretty, jsonb_strip_nulls
from .json_text import (
    aggregate_array,
    aggregate_object,
    array_elements_json,
    array_json,
    build_array,
    build_object,
    record_json,
    value_json,
)
from .jsonb_operations import (
    array_elements,
    concat,
    contains,
    delete_index,
    delete_keys,
    delete_path,
    get_path,
    has_key,
    object_pairs,
    set_path,
)
from .jsonb_order import sort_key
from .jsonb_path import path_exists, path_match, path_query, path_query_first
from .jsonb_values import canonical, kind, parse, render, text_array
from .strict_rows import strict_rows

if TYPE_CHECKING:
    from datafusion import SessionContext

_MISSING = object()


def _step(value, key: str):
    if isinstance(value, dict):
        return value.get(key, _MISSING)
    if isinstance(value, list):
        found, item = get_path(value, [key])
        return item if found else _MISSING
    return _MISSING


def _as_jsonb(value) -> str | None:
    return None if value is _MISSING else render(value)


def _as_text(value) -> str | None:
    """``->>``: a string's own text, NULL for JSON null, other values as jsonb text."""
    if value is _MISSING or value is None:
        return None
    return value if isinstance(value, str) else render(value)


def _getter(render_as: Callable) -> Callable:
    return lambda doc, key: render_as(_step(parse(doc), str(key)))


def _path_getter(render_as: Callable) -> Callable:
    def get(doc: str, path: str):
        found, value = get_path(parse(doc), text_array(path))
        return render_as(value if found else _MISSING)

    return get


def _delete(doc: str, operand: str, operand_type: str) -> str:
    """``jsonb - x``: by index for an integer, by keys for text[] ('{a,b}'), else by one key."""
    value = parse(doc)
    if operand_type.startswith(("Int", "UInt")):
        return render(delete_index(value, int(operand)))
    keys = text_array(operand) if operand_type.startswith(("List", "LargeList", "FixedSizeList")) else [operand]
    return render(delete_keys(value, keys))


def _array_length(doc: str) -> int:
    value = parse(doc)
    if not isinstance(value, list):
        kind_name = "a scalar" if not isinstance(value, dict) else "a non-array"
        raise DataError(f"[SQLSTATE 22023] cannot get array length of {kind_name}", sqlstate="22023")
    return len(value)


def _exists_any(doc: str, keys: str) -> bool:
    """``?|`` with its text[] as a PostgreSQL array literal (NULL keys match nothing)."""
    value = parse(doc)
    return any(key is not None and has_key(value, key) for key in text_array(keys))


def _exists_all(doc: str, keys: str) -> bool:
    value = parse(doc)
    return all(key is None or has_key(value, key) for key in text_array(keys))


def _path_function(fn: Callable, silenced: Any = None) -> Callable:
    """A jsonb_path function of (target, path, vars, silent): with ``silent``, an error gives
    ``silenced`` (NULL; no items for those returning them all)."""

    def run(doc: str, path: str, variables: str, silent: bool):
        try:
            return fn(parse(doc), path, parse(variables))
        except NotSupportedError:
            raise  # a path this engine cannot run is no error of the document's, to be silenced
        except Exception:  # noqa: BLE001 - PostgreSQL's silent flag suppresses the path's errors
            if silent:
                return silenced
            raise

    return run


def _first_item(document, path: str, variables) -> str | None:
    """jsonb_path_query_first's item as jsonb text; None (SQL NULL) when the path yields none."""
    found = path_query_first(document, path, variables)
    return render(found[0]) if found else None


def _all_items(document, path: str, variables) -> list[str]:
    """jsonb_path_query's items, each as jsonb text (a JSON null item is ``null``)."""
    return [render(item) for item in path_query(document, path, variables)]


def _with_nulls(fn: Callable, output: pa.DataType) -> Callable:
    def run(*arrays: pa.Array) -> pa.Array:
        return pa.array([fn(*row) for row in zip(*(a.to_pylist() for a in arrays))], output)

    return run


_PAIR = pa.struct([("key", pa.string()), ("value", pa.string())])
_KEY_VALUE = pa.struct([("k", pa.string()), ("v", pa.string())])


def _record_text(key: str, value: str | None) -> str:
    """A (key, value) record as PostgreSQL prints one: fields quoted when they hold , ( ) " \\ or spaces."""

    def field(text: str | None) -> str:
        if text is None:
            return ""
        if text == "" or any(c in text for c in ',()"\\') or any(c.isspace() for c in text):
            return '"' + text.replace("\\", "\\\\").replace('"', '""') + '"'
        return text

    return f"({field(key)},{field(value)})"


def register_json_functions(ctx: SessionContext) -> None:
    """The JSON functions and operators DataFusion lacks, as UDFs of ``ctx``."""
    from datafusion import udf

    s, b, texts = pa.string(), pa.bool_(), pa.list_(pa.string())
    for name, fn, inputs, output in (
        ("json_get", strict_rows(_getter(_as_jsonb), s), [s, s], s),
        ("json_get_text", strict_rows(_getter(_as_text), s), [s, s], s),
        ("json_get_path", strict_rows(_path_getter(_as_jsonb), s), [s, s], s),
        ("json_get_path_text", strict_rows(_path_getter(_as_text), s), [s, s], s),
        ("json_contains", strict_rows(lambda a, c: contains(parse(a), parse(c)), b), [s, s], b),
        ("jsonb_contained", strict_rows(lambda a, c: contains(parse(c), parse(a)), b), [s, s], b),
        ("jsonb_exists", strict_rows(lambda d, k: has_key(parse(d), k), b), [s, s], b),
        ("jsonb_exists_any", strict_rows(_exists_any, b), [s, s], b),
        ("jsonb_exists_all", strict_rows(_exists_all, b), [s, s], b),
        ("jsonb_sort_key", strict_rows(lambda d: sort_key(parse(d)), pa.binary()), [s], pa.binary()),
        ("jsonb_in", strict_rows(canonical, s), [s], s),
        ("jsonb_array_length", strict_rows(_array_length, pa.int32()), [s], pa.int32()),
        ("json_array_length", strict_rows(_array_length, pa.int32()), [s], pa.int32()),
        ("jsonb_typeof", strict_rows(lambda d: kind(parse(d)), s), [s], s),
        ("json_typeof", strict_rows(lambda d: kind(parse(d)), s), [s], s),
        ("jsonb_concat", strict_rows(lambda a, c: render(concat(parse(a), parse(c))), s), [s, s], s),
        ("jsonb_delete", strict_rows(_delete, s), [s, s, s], s),
        ("jsonb_delete_path", strict_rows(lambda d, p: render(delete_path(parse(d), text_array(p))), s), [s, s], s),
        (
            "jsonb_set",
            strict_rows(lambda d, p, v, c: render(set_path(parse(d), text_array(p), parse(v), c)), s),
            [s, s, s, b],
            s,
        ),
        ("json_value", strict_rows(value_json, s), [s, s], s),
        ("json_array_value", strict_rows(lambda t, ty: array_json(array_elements_json(t, ty)), s), [texts, s], s),
        ("json_array_elements_value", strict_rows(array_elements_json, texts), [texts, s], texts),
        ("json_record", _with_nulls(record_json, s), [texts, texts], s),
        ("json_build_object_of", strict_rows(build_object, s), [texts, texts, b], s),
        ("json_build_array_of", strict_rows(build_array, s), [texts, b], s),
        ("json_agg_of", strict_rows(aggregate_array, s), [texts, b, b], s),
        ("json_object_agg_of", strict_rows(aggregate_object, s), [pa.list_(_KEY_VALUE), b], s),
        ("json_strip_nulls", strict_rows(json_strip_nulls, s), [s], s),
        ("jsonb_strip_nulls", strict_rows(lambda d: render(jsonb_strip_nulls(parse(d))), s), [s], s),
        ("jsonb_pretty", strict_rows(lambda d: jsonb_pretty(parse(d)), s), [s], s),
        (
            "jsonb_insert",
            strict_rows(lambda d, p, v, a: render(jsonb_insert(parse(d), text_array(p), parse(v), a)), s),
            [s, s, s, b],
            s,
        ),
        ("jsonb_path_exists", strict_rows(_path_function(path_exists), b), [s, s, s, b], b),
        ("jsonb_path_match", strict_rows(_path_function(path_match), b), [s, s, s, b], b),
        ("jsonb_path_query_first", strict_rows(_path_function(_first_item), s), [s, s, s, b], s),
        ("jsonb_path_query_list", strict_rows(_path_function(_all_items, []), texts), [s, s, s, b], texts),
        (
            "jsonb_path_query_array",
            strict_rows(_path_function(lambda *args: render(path_query(*args)), "[]"), s),
            [s, s, s, b],
            s,
        ),
        ("jsonb_array_list", strict_rows(lambda d: [render(v) for v in array_elements(parse(d))], texts), [s], texts),
        (
            "jsonb_array_text_list",
            strict_rows(lambda d: [_as_text(v) for v in array_elements(parse(d))], texts),
            [s],
            texts,
        ),
        (
            "jsonb_object_keys_list",
            strict_rows(lambda d: [k for k, _ in object_pairs(parse(d), "jsonb_object_keys")], texts),
            [s],
            texts,
        ),
        (
            "jsonb_each_list",
            strict_rows(
                lambda d: [{"key": k, "value": render(v)} for k, v in object_pairs(parse(d), "jsonb_each")],
                pa.list_(_PAIR),
            ),
            [s],
            pa.list_(_PAIR),
        ),
        (
            "jsonb_each_text_list",
            strict_rows(
                lambda d: [{"key": k, "value": _as_text(v)} for k, v in object_pairs(parse(d), "jsonb_each_text")],
                pa.list_(_PAIR),
            ),
            [s],
            pa.list_(_PAIR),
        ),
        (
            "jsonb_each_records",
            strict_rows(lambda d: [_record_text(k, render(v)) for k, v in object_pairs(parse(d), "jsonb_each")], texts),
            [s],
            texts,
        ),
        (
            "jsonb_each_text_records",
            strict_rows(
                lambda d: [_record_text(k, _as_text(v)) for k, v in object_pairs(parse(d), "jsonb_each_text")], texts
            ),
            [s],
            texts,
        ),
    ):
        ctx.register_udf(udf(fn, inputs, output, "immutable", name=name))
