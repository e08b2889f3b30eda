"""Splitting a simple-query string into statements and naming what each one does.

The simple protocol answers every statement of ``a; b; c`` separately, so the
server must split the text the way PostgreSQL's lexer does: not inside
quotes, dollar quotes or comments.
"""

from __future__ import annotations

import functools
import re

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z_0-9]*)?\$")


_CACHED_TEXT = 4096


def split(sql: str) -> tuple[tuple[int, str], ...]:
    """Statements of ``sql`` without their semicolons, each with its offset (for error positions).

    Clients send the same short statements again and again (the extended protocol parses
    each time), so those are split once; long texts (bulk INSERTs) are not kept."""
    return _split_cached(sql) if len(sql) <= _CACHED_TEXT else _split(sql)


@functools.lru_cache(maxsize=1024)
def _split_cached(sql: str) -> tuple[tuple[int, str], ...]:
    return _split(sql)


def _split(sql: str) -> tuple[tuple[int, str], ...]:
    out, start, i, n = [], 0, 0, len(sql)
    while i < n:
        c = sql[i]
        if c in ("'", '"'):
            i = _skip_quoted(sql, i, c)
        elif c == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
        elif c == "/" and sql.startswith("/*", i):
            i = _skip_block_comment(sql, i)
        elif c == "$":
            m = _DOLLAR_TAG.match(sql, i)
            if m and (i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] == "_")):
                end = sql.find(m.group(0), m.end())
                i = n if end < 0 else end + len(m.group(0))
            else:
                i += 1
        elif c == ";":
            out.append((start, sql[start:i]))
            start = i = i + 1
        else:
            i += 1
    out.append((start, sql[start:]))
    return tuple((offset, text) for offset, text in out if strip_comments(text).strip())


def _skip_quoted(sql: str, i: int, quote: str) -> int:
    escapes = quote == "'" and i > 0 and sql[i - 1] in "eE"
    i += 1
    while i < len(sql):
        c = sql[i]
        if escapes and c == "\\":
            i += 2
            continue
        if c == quote:
            if i + 1 < len(sql) and sql[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return i


def _skip_block_comment(sql: str, i: int) -> int:
    depth, i = 1, i + 2
    while i < len(sql) and depth:
        if sql.startswith("/*", i):
            depth, i = depth + 1, i + 2
        elif sql.startswith("*/", i):
            depth, i = depth - 1, i + 2
        else:
            i += 1
    return i


def strip_comments(sql: str) -> str:
    """The text with leading comments removed (what a statement starts with)."""
    text = sql.lstrip()
    while text.startswith(("--", "/*")):
        if text.startswith("--"):
            end = text.find("\n")
            text = "" if end < 0 else text[end + 1 :].lstrip()
        else:
            text = text[_skip_block_comment(text, 0) :].lstrip()
    return text


def first_word(sql: str) -> str:
    m = re.match(r"[A-Za-z_]+", strip_comments(sql))
    return m.group(0).upper() if m else ""


_CONTROL_WORDS = {"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE", "PREPARE"}


def controls_transaction(sql: str) -> bool:
    """Transaction control, or a branch switch (which must happen outside a transaction)."""
    word = first_word(sql)
    return word in _CONTROL_WORDS or (word == "SET" and "agentlake.branch" in sql.lower())


_COPY = re.compile(
    r"^COPY\s+(?P<table>(?:\"[^\"]+\"|[\w.]+))\s*(?:\((?P<cols>[^)]*)\))?\s+FROM\s+STDIN\b(?P<opts>.*)$",
    re.IGNORECASE | re.DOTALL,
)


def parse_copy_from_stdin(sql: str) -> tuple[str, list[str] | None, dict[str, str]] | None:
    """``COPY t (a, b) FROM STDIN WITH (FORMAT csv, HEADER)`` -> (table, columns, options), else None."""
    m = _COPY.match(strip_comments(sql).strip())
    if not m:
        return None
    table = m.group("table").strip('"')
    cols = [c.strip().strip('"') for c in m.group("cols").split(",")] if m.group("cols") else None
    return table, cols, _copy_options(m.group("opts"))


_COPY_TO = re.compile(
    r"^COPY\s+(?:\((?P<query>.+)\)|(?P<table>\"[^\"]+\"|[\w.]+)\s*(?:\((?P<cols>[^)]*)\))?)"
    r"\s*TO\s+STDOUT\b(?P<opts>.*)$",
    re.IGNORECASE | re.DOTALL,
)


def parse_copy_to_stdout(sql: str) -> tuple[str, dict[str, str]] | None:
    """``COPY t (a, b) TO STDOUT ...`` or ``COPY (query) TO STDOUT ...`` -> (the query, options), else None."""
    m = _COPY_TO.match(strip_comments(sql).strip())
    if not m:
        return None
    if m.group("query"):
        return m.group("query"), _copy_options(m.group("opts"))
    columns = m.group("cols").strip() if m.group("cols") else "*"
    return f"SELECT {columns} FROM {m.group('table')}", _copy_options(m.group("opts"))


def _copy_options(text: str) -> dict[str, str]:
    text = text.strip()
    if text.upper().startswith("WITH"):
        text = text[4:].strip()
    text = text.strip("()").strip()
    options: dict[str, str] = {}
    if not text:
        return options
    legacy = re.fullmatch(r"(?i)(BINARY|CSV)?\s*(HEADER)?\s*(?:DELIMITER\s+'(.)')?\s*(?:NULL\s+'([^']*)')?", text)
    if legacy and "," not in text:
        if legacy.group(1):
            options["format"] = legacy.group(1).lower()
        if legacy.group(2):
            options["header"] = "true"
        if legacy.group(3):
            options["delimiter"] = legacy.group(3)
        if legacy.group(4) is not None:
            options["null"] = legacy.group(4)
        return options
    for item in text.split(","):
        parts = item.strip().split(None, 1)
        if parts:
            value = parts[1].strip().strip("'") if len(parts) > 1 else "true"
            options[parts[0].lower()] = value
    return options
