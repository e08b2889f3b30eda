"""PostgreSQL's quote_ident and quote_literal rules, which ``format('%I')`` and ``format('%L')`` apply,
and parse_ident, which splits a qualified name as written back into its identifiers.

An identifier stays bare only when it reads back as itself: lower-case letters, digits, ``_`` and
``$``, not starting with a digit or ``$``, and not a keyword that PostgreSQL 16 reserves in any way
(every category of ``pg_get_keywords()`` but the unreserved one, listed below).
"""

from __future__ import annotations

import re

from ..errors import DataError, ProgrammingError

_BARE = re.compile(r"[a-z_][a-z0-9_$]*")
_KEYWORDS = frozenset(
    """all analyse analyze and any array as asc asymmetric authorization between bigint binary bit
    boolean both case cast char character check coalesce collate collation column concurrently
    constraint create cross current_catalog current_date current_role current_schema current_time
    current_timestamp current_user dec decimal default deferrable desc distinct do else end except
    exists extract false fetch float for foreign freeze from full grant greatest group grouping having
    ilike in initially inner inout int integer intersect interval into is isnull join json_array
    json_arrayagg json_object json_objectagg lateral leading least left like limit localtime
    localtimestamp national natural nchar none normalize not notnull null nullif numeric offset on
    only or order out outer overlaps overlay placing position precision primary real references
    returning right row select session_user setof similar smallint some substring symmetric
    system_user table tablesample then time timestamp to trailing treat trim true union unique user
    using values varchar variadic verbose when where window with xmlattributes xmlconcat xmlelement
    xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable""".split()
)


def quote_ident(name: str) -> str:
    """``name`` as an identifier: bare where PostgreSQL would leave it bare, else double-quoted."""
    if _BARE.fullmatch(name) and name not in _KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """``text`` as a string literal: quotes doubled, and backslashes doubled in an ``E''`` string."""
    quoted = "'" + text.replace("'", "''").replace("\\", "\\\\") + "'"
    return "E" + quoted if "\\" in text else quoted


_BARE_START = re.compile(r"[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_$\x80-\U0010ffff]*")


def parse_ident(text: str, strict: bool = True) -> list[str]:
    """The identifiers of a qualified name (``'"SomeSchema".someTable'`` is SomeSchema and
    sometable): quoted ones as written (doubled quotes single), bare ones in lower case; 22023 for
    text that is not such a name (with ``strict`` false, what follows a valid name is ignored)."""
    parts: list[str] = []
    at = len(text) - len(text.lstrip())
    while True:
        if text.startswith('"', at):
            end = at + 1
            while True:
                end = text.find('"', end)
                if end < 0:
                    raise _not_an_identifier(text, "String has unclosed double quotes.")
                if not text.startswith('""', end):
                    break
                end += 2
            name = text[at + 1 : end].replace('""', '"')
            if not name:
                raise _not_an_identifier(text, "Quoted identifier must not be empty.")
            parts.append(name)
            at = end + 1
        else:
            bare = _BARE_START.match(text, at)
            if bare is None:
                after_dot = bool(parts)
                if text.startswith(".", at) or after_dot:
                    where = "after" if after_dot else "before"
                    raise _not_an_identifier(text, f'No valid identifier {where} ".".')
                raise _not_an_identifier(text)
            parts.append(bare.group().lower())
            at = bare.end()
        rest = text[at:].lstrip()
        at = len(text) - len(rest)
        if rest.startswith("."):
            at += 1
            at += len(text[at:]) - len(text[at:].lstrip())
            continue
        if rest and strict:
            raise _not_an_identifier(text)
        return parts


def _not_an_identifier(text: str, detail: str | None = None) -> DataError:
    return DataError(f'[SQLSTATE 22023] string is not a valid identifier: "{text}"', sqlstate="22023", detail=detail)


IDENTIFIER = r'"(?:[^"]|"")+"|[A-Za-z_][\w$]*'
"""A regular expression for one identifier as written, quoted or bare (statements read as text)."""
STRING_LITERAL = r"'(?:[^']|'')*'"
"""A regular expression for one quoted string constant as written."""


def identifier_name(token: str) -> str:
    """An identifier as PostgreSQL reads it: a quoted one as written, its doubled quotes single,
    a bare one folded to lower case."""
    if len(token) > 1 and token.startswith('"') and token.endswith('"'):
        return token[1:-1].replace('""', '"')
    return token.lower()


QUALIFIED_NAME = rf"(?:({IDENTIFIER})\s*\.\s*)?({IDENTIFIER})"
"""A regular expression for a relation's name, perhaps schema-qualified: two groups, the schema's
identifier (None when not written) and the name's; :func:`public_name` reads them."""


def public_name(schema: str | None, name: str) -> str:
    """The name ``QUALIFIED_NAME`` matched, read as an identifier; a schema other than public
    (the only one there is) is PostgreSQL's 3F000."""
    if schema is not None and identifier_name(schema) != "public":
        raise ProgrammingError(f'schema "{identifier_name(schema)}" does not exist', sqlstate="3F000")
    return identifier_name(name)


def literal_text(token: str) -> str:
    """The text of a quoted string constant as written (``'it''s'`` -> ``it's``)."""
    return token[1:-1].replace("''", "'")
