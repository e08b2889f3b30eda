"""PostgreSQL's text form of an array, ``{1,"b c",NULL}``: read into a one-dimensional array's
elements' texts (``'{1,2}'::int[]`` in SQL and a quoted array written to an array column both go
through it, each element then read as the element type reads text), and written as array_out
writes it (the wire's text format and ``array::text`` inside SQL)."""

from __future__ import annotations

from typing import Any, Callable

_QUOTED_IF_IN = frozenset('{},"\\ \t\n\r\v\f')


def element_output(text: str | None) -> str:
    """One element as array_out writes it: NULL bare; double-quoted, with a backslash before each
    quote and backslash, when empty, spelled NULL, or holding a brace, comma, quote, backslash or
    white space."""
    if text is None:
        return "NULL"
    if text == "" or text.upper() == "NULL" or not _QUOTED_IF_IN.isdisjoint(text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def array_output(
    values: list, element_text: Callable[[Any], str], nested: Callable[[Any], bool] = lambda v: isinstance(v, list)
) -> str:
    """``{...}`` of ``values``, each non-NULL one made text by ``element_text``; ``nested`` ones
    (inner arrays of a multidimensional array) inside their own braces."""
    parts = (
        array_output(v, element_text, nested)
        if v is not None and nested(v)
        else element_output(None if v is None else element_text(v))
        for v in values
    )
    return "{" + ",".join(parts) + "}"


def array_elements(text: str) -> list[str | None] | None:
    """Elements of a one-dimensional PostgreSQL array literal; None for nested or malformed text."""
    body = text.strip()
    if not (body.startswith("{") and body.endswith("}")) or "{" in body[1:-1]:
        return None
    items: list[str | None] = []
    current, quoted, was_quoted, i = [], False, False, 1
    while i < len(body) - 1:
        ch = body[i]
        if quoted and ch == "\\" and i + 1 < len(body) - 1:
            current.append(body[i + 1])
            i += 1
        elif ch == '"':
            quoted, was_quoted = not quoted, True
        elif ch == "," and not quoted:
            items.append(_element(current, was_quoted))
            current, was_quoted = [], False
        elif not quoted and ch.isspace() and (was_quoted or not current):
            pass  # whitespace around an element, or beside its quotes, is not part of it
        else:
            current.append(ch)
        i += 1
    if current or was_quoted or items:
        items.append(_element(current, was_quoted))
    return items


def _element(chars: list[str], was_quoted: bool) -> str | None:
    value = "".join(chars) if was_quoted else "".join(chars).strip()
    return None if not was_quoted and value.upper() == "NULL" else value
