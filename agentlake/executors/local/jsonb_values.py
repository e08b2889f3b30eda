"""jsonb values as PostgreSQL holds them, and their text as PostgreSQL prints it.

agentlake stores jsonb as text (Arrow has no JSON type). PostgreSQL does not keep the text it
was given: it keeps numbers as ``numeric`` (so ``1.50`` stays ``1.50`` but ``1e2`` becomes
``100`` and ``1.0 = 1``), drops duplicate keys (the last wins) and stores an object's keys
shorter first, then bytewise. Parsing here keeps numbers as ``Decimal``; ``render`` prints a
value exactly as PostgreSQL's jsonb output does, so the stored text is the canonical one.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pyarrow as pa

from ...errors import DataError

JsonValue = Any
"""None, bool, str, int, Decimal, list or dict (of str keys), as ``parse`` returns them."""


def _reject_constant(name: str) -> None:
    raise ValueError(f'Token "{name}" is invalid')


def _check_strings(value: JsonValue) -> None:
    """PostgreSQL's jsonb cannot hold ``\\u0000`` nor a lone surrogate (22P05)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise DataError("[SQLSTATE 22P05] unsupported Unicode escape sequence", sqlstate="22P05")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise DataError("[SQLSTATE 22P05] unsupported Unicode escape sequence", sqlstate="22P05") from None
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)


def parse(text: str) -> JsonValue:
    """A jsonb value from its text; invalid JSON is PostgreSQL's 22P02."""
    try:
        value = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, TypeError) as err:
        raise DataError(f"[SQLSTATE 22P02] invalid input syntax for type json: {err}", sqlstate="22P02") from None
    _check_strings(value)
    return value


def storage_order(key: str) -> tuple[int, bytes]:
    """The order PostgreSQL stores (and prints, and compares) an object's keys in."""
    raw = key.encode("utf-8")
    return len(raw), raw


def number_text(number: int | Decimal) -> str:
    """A numeric as PostgreSQL prints it: no exponent, the scale it was written with, no ``-0``."""
    if isinstance(number, int):
        return str(number)
    text = format(number, "f")
    return text[1:] if number.is_zero() and text.startswith("-") else text


def render(value: JsonValue) -> str:
    """PostgreSQL's jsonb output text of a value."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, Decimal)):
        return number_text(value)
    if isinstance(value, float):
        return number_text(Decimal(repr(value)))
    if isinstance(value, list):
        return "[" + ", ".join(render(item) for item in value) + "]"
    return "{" + ", ".join(f"{render(k)}: {render(value[k])}" for k in sorted(value, key=storage_order)) + "}"


def canonical(text: str | None) -> str | None:
    """The text PostgreSQL would store for ``text::jsonb`` (None stays NULL)."""
    return None if text is None else render(parse(text))


def canonical_array(array: pa.Array) -> pa.Array:
    """A column of jsonb texts as PostgreSQL stores them (written rows go through here)."""
    return pa.array([canonical(text) for text in array.cast(pa.string()).to_pylist()], pa.string())


def kind(value: JsonValue) -> str:
    """jsonb_typeof's name for a value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (int, Decimal, float)):
        return "number"
    return "array" if isinstance(value, list) else "object"


def same_scalar(a: JsonValue, b: JsonValue) -> bool:
    """jsonb equality of two scalars (``1.0 = 1``, but ``true`` is not ``1``)."""
    return kind(a) == kind(b) and a == b


def text_array(text: str | None) -> list[str | None] | None:
    """A one-dimensional PostgreSQL ``text[]`` literal (``{a,"b c",NULL}``), as jsonb paths are written."""
    if text is None:
        return None
    body = text.strip()
    if not (body.startswith("{") and body.endswith("}")):
        raise DataError(f'[SQLSTATE 22P02] malformed array literal: "{text}"', sqlstate="22P02")
    body = body[1:-1]
    items: list[str | None] = []
    i, n = 0, len(body)
    while i < n:
        while i < n and body[i].isspace():
            i += 1
        if i >= n:
            break
        if body[i] == '"':
            i += 1
            chars = []
            while i < n and body[i] != '"':
                if body[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(body[i])
                i += 1
            items.append("".join(chars))
            i += 1
        else:
            start = i
            while i < n and body[i] != ",":
                i += 1
            word = body[start:i].strip()
            items.append(None if word.upper() == "NULL" else word.replace("\\", ""))
        while i < n and body[i].isspace():
            i += 1
        if i < n and body[i] != ",":
            raise DataError(f'[SQLSTATE 22P02] malformed array literal: "{text}"', sqlstate="22P02")
        i += 1
    return items
