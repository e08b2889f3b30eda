"""PostgreSQL's text form of a one-dimensional array, ``{1,"b c",NULL}``, read into its elements'
texts: ``'{1,2}'::int[]`` in SQL and a quoted array written to an array column both go through it,
each element then read as the element type reads text."""

from __future__ import annotations


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
        else:
            current.append(ch)
        i += 1
    if current or was_quoted or items:
        items.append(_element(current, was_quoted))
    return items


def _element(chars: list[str], was_quoted: bool) -> str | None:
    value = "".join(chars) if was_quoted else "".join(chars).strip()
    return None if not was_quoted and value.upper() == "NULL" else value
