"""SQL values as PostgreSQL's ``to_json`` writes them, and json documents built from such texts.

Every JSON-producing function (to_json, row_to_json, json_agg, json_build_object and their jsonb
twins) works over the *json text* of its arguments, the text ``to_json(x)`` would print: the
rewrite (``sql/rules/json_construction``) hands each argument over as that text, either a json or
jsonb value as it is, or a SQL value as its DataFusion text with its ``arrow_typeof`` name, which
``value_json`` converts. The json forms keep PostgreSQL's spacing for each function (``[1,2]`` for
arrays and rows, ``[1, 2]`` for json_agg and json_build_array, ``{"a" : 1}`` for
json_build_object, ``{ "a" : 1 }`` for json_object_agg); the jsonb forms are ``jsonb_values.render``
of the parsed texts (``to_jsonb(x)`` is ``to_json(x)::jsonb`` in PostgreSQL too).
"""

from __future__ import annotations

import json
import re

from ...errors import NotSupportedError, function_error
from ...sql.text_output import float_text, special_float_text
from .jsonb_values import parse, render

_ELEMENT_TYPE = re.compile(r"^(?:Large)?List\((.*?)(?:, field: .*)?\)$")
_FRACTION = re.compile(r"(\.\d*?)0+(?=$|[+-])")


def quote(text: str) -> str:
    """A JSON string as PostgreSQL's escape_json writes it (non-ASCII kept, controls escaped)."""
    return json.dumps(text, ensure_ascii=False)


def _float_json(text: str, single: bool) -> str:
    value = float(text)
    special = special_float_text(value)
    return f'"{special}"' if special else float_text(value, single)


def _temporal(text: str, arrow_type: str) -> str:
    """ISO 8601 as PostgreSQL's JSON encoding of dates and times: fractions without trailing zeros,
    a UTC offset as ``+00:00``."""
    text = _FRACTION.sub(lambda m: "" if m.group(1) == "." else m.group(1), text)
    if arrow_type.startswith("Timestamp(") and '"' in arrow_type and text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return quote(text)


def value_json(text: str | None, arrow_type: str) -> str | None:
    """``to_json`` of one SQL value given as its DataFusion text and ``arrow_typeof`` name."""
    if text is None or arrow_type == "Null":
        return None
    if arrow_type == "Boolean":
        return "true" if text.lower() == "true" else "false"
    if arrow_type.startswith(("Int", "UInt", "Decimal")):
        return text
    if arrow_type.startswith("Float"):
        return _float_json(text, arrow_type in ("Float32", "Float16"))
    if arrow_type.startswith(("Timestamp", "Date", "Time")):
        return _temporal(text, arrow_type)
    if arrow_type.startswith(("List", "LargeList", "FixedSizeList", "Struct", "Map")):
        raise function_error(
            "0A000",
            f"to_json of a {arrow_type.split('(')[0]} value of this kind is not supported: "
            "cast it to a typed array (such as ::text[]) first",
            NotSupportedError,
        )
    return quote(text)


def array_elements_json(texts: list[str | None], list_type: str) -> list[str | None]:
    """The json text of each element of a one-dimensional array given as element texts."""
    found = _ELEMENT_TYPE.match(list_type)
    element_type = found.group(1) if found else "Utf8"
    if element_type.startswith(("List", "LargeList", "FixedSizeList")):
        raise function_error("0A000", "to_json of a multidimensional array is not supported", NotSupportedError)
    return [value_json(text, element_type) for text in texts]


def array_json(elements: list[str | None]) -> str:
    """An array as to_json and array_to_json print it: ``[1,"a",null]``."""
    return "[" + ",".join("null" if e is None else e for e in elements) + "]"


def record_json(names: list[str], values: list[str | None]) -> str:
    """A row as row_to_json prints it: ``{"id":1,"name":"x"}``."""
    return "{" + ",".join(f"{quote(n)}:{'null' if v is None else v}" for n, v in zip(names, values)) + "}"


def key_text(value: str | None, position: int, function: str) -> str:
    """An object key from its json text: a string's contents, other scalars as printed; NULL is
    PostgreSQL's error for each function."""
    if value is None:
        if function == "jsonb_build_object":
            raise function_error("22023", f"argument {position}: key must not be null")
        if function == "jsonb_object_agg":
            raise function_error("22023", "field name must not be null")
        raise function_error("22004", "null value not allowed for object key")
    if value.startswith(("[", "{")):
        raise function_error("22023", "key value must be scalar, not array, composite, or json")
    return json.loads(value) if value.startswith('"') else value


def build_object(keys: list[str | None], values: list[str | None], jsonb: bool) -> str:
    """json_build_object / jsonb_build_object of key and value json texts."""
    function = "jsonb_build_object" if jsonb else "json_build_object"
    names = [key_text(k, 2 * i + 1, function) for i, k in enumerate(keys)]
    if jsonb:
        return render({n: None if v is None else parse(v) for n, v in zip(names, values)})
    return "{" + ", ".join(f"{quote(n)} : {'null' if v is None else v}" for n, v in zip(names, values)) + "}"


def build_array(values: list[str | None], jsonb: bool) -> str:
    """json_build_array (``[1, "a", null]``) / jsonb_build_array of json texts."""
    if jsonb:
        return render([None if v is None else parse(v) for v in values])
    return "[" + ", ".join("null" if v is None else v for v in values) + "]"


def aggregate_array(values: list[str | None], jsonb: bool, structured: bool) -> str:
    """json_agg / jsonb_agg of the aggregated json texts; json_agg puts a line break before each
    array or row after the first (``structured``), as PostgreSQL's json_agg_transfn does."""
    if jsonb:
        return render([None if v is None else parse(v) for v in values])
    parts = []
    for index, value in enumerate(values):
        separator = "" if index == 0 else (", \n " if structured and value is not None else ", ")
        parts.append(separator + ("null" if value is None else value))
    return "[" + "".join(parts) + "]"


def aggregate_object(pairs: list[dict], jsonb: bool) -> str:
    """json_object_agg (``{ "a" : 1, "b" : 2 }``) / jsonb_object_agg (the last of a key wins)."""
    function = "jsonb_object_agg" if jsonb else "json_object_agg"
    names = [key_text(p["k"], 1, function) for p in pairs]
    values = [p["v"] for p in pairs]
    if jsonb:
        return render({n: None if v is None else parse(v) for n, v in zip(names, values)})
    return "{ " + ", ".join(f"{quote(n)} : {'null' if v is None else v}" for n, v in zip(names, values)) + " }"
