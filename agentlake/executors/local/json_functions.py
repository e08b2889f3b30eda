"""PostgreSQL's JSON operators as DataFusion functions over jsonb text columns.

jsonb values are stored as JSON text (Arrow has no JSON type); these functions
parse per row, which is fine for the document sizes agents store.
"""
from __future__ import annotations

import json

from typing import TYPE_CHECKING

import pyarrow as pa


if TYPE_CHECKING:
    from datafusion import SessionContext

_MISSING = object()


def _load(text):
    if text is None:
        return _MISSING
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return _MISSING


def _step(value, key):
    if isinstance(value, dict):
        return value.get(key, _MISSING)
    if isinstance(value, list):
        try:
            index = int(key)
        except (TypeError, ValueError):
            return _MISSING
        if index < 0:
            index += len(value)
        return value[index] if 0 <= index < len(value) else _MISSING
    return _MISSING


def _as_json(value) -> str | None:
    return None if value is _MISSING else json.dumps(value, separators=(", ", ": "))


def _as_text(value) -> str | None:
    if value is _MISSING or value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, separators=(", ", ": "))


def _path(text: str | None) -> list[str]:
    return [p.strip().strip('"') for p in (text or "").strip("{}").split(",") if p.strip()]


def _map2(fn, docs: pa.Array, keys: pa.Array) -> pa.Array:
    docs, keys = docs.to_pylist(), keys.to_pylist()
    return pa.array([fn(d, k) for d, k in zip(docs, keys)], pa.string())


def _get(render):
    return lambda docs, keys: _map2(lambda d, k: render(_step(_load(d), None if k is None else str(k))), docs, keys)


def _get_path(render):
    def fn(docs, paths):
        def walk(d, p):
            value = _load(d)
            for key in _path(p):
                value = _step(value, key)
            return render(value)
        return _map2(walk, docs, paths)
    return fn


def _contains(container, contained) -> bool:
    if isinstance(container, dict) and isinstance(contained, dict):
        return all(k in container and _contains(container[k], v) for k, v in contained.items())
    if isinstance(container, list) and isinstance(contained, list):
        return all(any(_contains(c, v) for c in container) for v in contained)
    return container == contained


def _json_contains(docs: pa.Array, others: pa.Array) -> pa.Array:
    out = []
    for d, o in zip(docs.to_pylist(), others.to_pylist()):
        a, b = _load(d), _load(o)
        out.append(None if a is _MISSING or b is _MISSING else _contains(a, b))
    return pa.array(out, pa.bool_())


def _array_length(docs: pa.Array) -> pa.Array:
    return pa.array([len(v) if isinstance(v := _load(d), list) else None for d in docs.to_pylist()], pa.int32())


def _typeof(docs: pa.Array) -> pa.Array:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number",
             type(None): "null"}
    return pa.array([None if (v := _load(d)) is _MISSING else names[type(v)] for d in docs.to_pylist()], pa.string())


def register_json_functions(ctx: SessionContext) -> None:
    """The JSON functions and operators DataFusion lacks, as UDFs of ``ctx``."""
    from datafusion import udf

    s = pa.string()
    for name, fn, inputs, output in (
        ("json_get", _get(_as_json), [s, s], s),
        ("json_get_text", _get(_as_text), [s, s], s),
        ("json_get_path", _get_path(_as_json), [s, s], s),
        ("json_get_path_text", _get_path(_as_text), [s, s], s),
        ("json_contains", _json_contains, [s, s], pa.bool_()),
        ("jsonb_array_length", _array_length, [s], pa.int32()),
        ("json_array_length", _array_length, [s], pa.int32()),
        ("jsonb_typeof", _typeof, [s], s),
        ("json_typeof", _typeof, [s], s),
    ):
        ctx.register_udf(udf(fn, inputs, output, "immutable", name=name))

