"""Splitting a simple-query string into statements and naming what each one does.

The simple protocol answers every statement of ``a; b; c`` separately, so the
server must split the text the way PostgreSQL's lexer does: not inside
quotes, dollar quotes or comments.
"""

from __future__ import annotations

import functools
import re

from ..sql.pg_quoting import IDENTIFIER, identifier_name, literal_text

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
    rf"^COPY\s+(?P<table>(?:{IDENTIFIER})(?:\s*\.\s*(?:{IDENTIFIER}))?)\s*(?:\((?P<cols>[^)]*)\))?\s+FROM\s+STDIN\b(?P<opts>.*)$",
    re.IGNORECASE | re.DOTALL,
)


def parse_copy_from_stdin(sql: str) -> tuple[str, list[str] | None, dict[str, str]] | None:
    """``COPY t (a, b) FROM STDIN WITH (FORMAT csv, HEADER)`` -> (table, columns, options), else None."""
    m = _COPY.match(strip_comments(sql).strip().rstrip(";").rstrip())
    if not m:
        return None
    cols = [identifier_name(c.strip()) for c in m.group("cols").split(",")] if m.group("cols") else None
    return _table_name(m.group("table")), cols, _copy_options(m.group("opts"))


def _table_name(text: str) -> str:
    """COPY's table, ``public.`` taken off (pg_dump writes ``COPY public.t``); another schema stays
    in the name, which then names no table."""
    parts = [identifier_name(part) for part in re.findall(IDENTIFIER, text)]
    return parts[-1] if len(parts) == 1 or parts[0] == "public" else ".".join(parts)


_COPY_TO = re.compile(
    r"^COPY\s+(?:\((?P<query>.+)\)|(?P<table>\"[^\"]+\"|[\w.]+)\s*(?:\((?P<cols>[^)]*)\))?)"
    r"\s*TO\s+STDOUT\b(?P<opts>.*)$",
    re.IGNORECASE | re.DOTALL,
)


def parse_copy_to_stdout(sql: str) -> tuple[str, dict[str, str]] | None:
    """``COPY t (a, b) TO STDOUT ...`` or ``COPY (query) TO STDOUT ...`` -> (the query, options), else None."""
    m = _COPY_TO.match(strip_comments(sql).strip().rstrip(";").rstrip())
    if not m:
        return None
    if m.group("query"):
        return m.group("query"), _copy_options(m.group("opts"))
    columns = m.group("cols").strip() if m.group("cols") else "*"
    return f"SELECT {columns} FROM {m.group('table')}", _copy_options(m.group("opts"))


_OPTION_TOKEN = re.compile(r"'(?:[^']|'')*'|[A-Za-z_][\w$]*|[-+]?\d+(?:\.\d+)?|\S")
_LEGACY_FLAGS = {"BINARY": ("format", "binary"), "CSV": ("format", "csv"), "HEADER": ("header", "true")}
_LEGACY_VALUES = {"DELIMITER": "delimiter", "NULL": "null", "QUOTE": "quote", "ESCAPE": "escape"}
COPY_OPTIONS = {"format", "header", "delimiter", "null", "quote", "escape", "encoding"}
"""The COPY options this server reads; PostgreSQL's others are refused (:func:`copy_option_error`)."""
_POSTGRES_ONLY = {"force_quote", "force_not_null", "force_null", "freeze", "default", "on_error", "log_verbosity"}


def _copy_options(text: str) -> dict[str, str]:
    """COPY's options, in either syntax: ``WITH (FORMAT csv, DELIMITER '|')`` or the older
    ``[WITH] [BINARY] [DELIMITER [AS] 'c'] [NULL [AS] 'n'] [CSV [HEADER] [QUOTE [AS] 'q']
    [ESCAPE [AS] 'e']]`` that psycopg2's copy_from writes. Values are unquoted; names lower case."""
    tokens = _OPTION_TOKEN.findall(text)
    if tokens and tokens[0].upper() == "WITH":
        tokens = tokens[1:]
    if tokens and tokens[0] == "(":
        return _listed_options(tokens[1:-1] if tokens[-1] == ")" else tokens[1:])
    options: dict[str, str] = {}
    i = 0
    while i < len(tokens):
        word = tokens[i].upper()
        if word in _LEGACY_FLAGS:
            key, value = _LEGACY_FLAGS[word]
            options[key] = value
            i += 1
        elif word in _LEGACY_VALUES:
            i += 2 if i + 1 < len(tokens) and tokens[i + 1].upper() == "AS" else 1
            options[_LEGACY_VALUES[word]] = _option_value(tokens[i] if i < len(tokens) else "")
            i += 1
        else:
            options[tokens[i].lower()] = "true"  # an option this grammar lacks: refused by name
            i += 1
    return options


def _listed_options(tokens: list[str]) -> dict[str, str]:
    """``name value, name (a, b), name`` at the top level of COPY's parenthesized option list."""
    options: dict[str, str] = {}
    item: list[str] = []
    depth = 0
    for token in [*tokens, ","]:
        if token == "," and depth == 0:
            if item:
                options[item[0].lower()] = " ".join(_option_value(t) for t in item[1:]) or "true"
            item = []
            continue
        depth += (token == "(") - (token == ")")
        item.append(token)
    return options


def _option_value(token: str) -> str:
    return literal_text(token) if token.startswith("'") else token


def copy_option_error(options: dict[str, str]) -> tuple[str, str] | None:
    """(SQLSTATE, message) for an option PostgreSQL does not know (42601) or this server does not
    read (0A000); None when every option is read."""
    for name in options:
        if name in COPY_OPTIONS:
            continue
        if name in _POSTGRES_ONLY:
            return "0A000", f"COPY option {name.upper()} is not supported"
        return "42601", f'option "{name}" not recognized'
    encoding = options.get("encoding", "utf8").lower().replace("-", "").replace("_", "")
    if encoding not in ("utf8", "unicode", "sqlascii"):
        return "0A000", f"COPY ENCODING {options['encoding']} is not supported: data is UTF8"
    return None
