"""Translating PostgreSQL's SQL-standard regular expressions (``SIMILAR TO``) into the regular
expressions DataFusion matches, as PostgreSQL's own ``similar_to_escape`` does.

In PostgreSQL the pattern must match the whole string; ``%`` and ``_`` are the wildcards; ``.``,
``^`` and ``$`` are literal; ``|``, ``*``, ``+``, ``?``, ``{m,n}``, parentheses and bracket
expressions keep their regular-expression meaning; and the escape character (backslash unless
ESCAPE says otherwise, none for ``ESCAPE ''``) makes the next character literal.
"""

from __future__ import annotations

from ..errors import DataError

_LITERAL_OUTSIDE_CLASSES = {".": "\\.", "^": "\\^", "$": "\\$"}


def invalid_escape() -> DataError:
    """PostgreSQL's 22025 for an escape that is not one character (or none), or ends the pattern."""
    return DataError("invalid escape string", sqlstate="22025", hint="Escape string must be empty or one character.")


def similar_to_regex(pattern: str, escape: str | None = "\\") -> str:
    """The regular expression (Rust ``regex`` syntax) matching what ``SIMILAR TO pattern`` matches.

    An escaped double quote (the separators SUBSTRING ... SIMILAR uses) only splits the pattern
    into groups, which changes nothing about what matches, so it is dropped.
    """
    out: list[str] = []
    in_class = after_escape = False
    for char in pattern:
        if after_escape:
            after_escape = False
            if char != '"' or in_class:
                out.append("\\" + char)
        elif char == escape:
            after_escape = True
        elif in_class:
            out.append("\\\\" if char == "\\" else char)
            in_class = char != "]"
        elif char == "[":
            in_class = True
            out.append(char)
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        elif char == "(":
            out.append("(?:")
        elif char == "\\":
            out.append("\\\\")
        else:
            out.append(_LITERAL_OUTSIDE_CLASSES.get(char, char))
    if after_escape:
        raise invalid_escape()
    # (?s): a PostgreSQL "." and "%" also match a newline
    return "(?s)^(?:" + "".join(out) + ")$"
