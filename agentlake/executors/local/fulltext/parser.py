"""PostgreSQL's default text-search parser (``pg_catalog.default``), as token kinds and texts.

to_tsvector's answer depends on how the parser cuts text (``co-op`` is the compound and its two
parts, ``foo.com`` one host, ``e.g.`` one file name, ``-5`` a signed integer), and positions
count its tokens, so this follows the kinds ``ts_debug`` reports: words (ASCII, other letters,
with digits), hyphenated words and their parts, numbers (unsigned, signed, decimal, scientific,
versions), e-mail addresses, URLs with their host and path, hosts and file paths. Tags, entities,
protocols and everything else are blanks, which take no position.
"""

from __future__ import annotations

import re
from typing import Iterator, NamedTuple

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?"
_HOST = rf"(?:{_LABEL}\.)+[A-Za-z]{{2,}}(?![A-Za-z0-9_])"
_URL_CHARS = r"[A-Za-z0-9!#$%&'()*+,\-./:;=?@\[\]_~]"
_SKIPPED = re.compile(
    r"</?[A-Za-z_:][^<>]*>"  # tag
    r"|<!--.*?-->"  # comment tag
    r"|&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);"  # entity
    r"|[A-Za-z][A-Za-z0-9+.-]*://",  # protocol
    re.S,
)
_EMAIL = re.compile(rf"[A-Za-z0-9_][A-Za-z0-9_.+-]*@{_HOST}")
_URL = re.compile(rf"({_HOST})(?::[0-9]+)?(/{_URL_CHARS}*)")
_HOST_RE = re.compile(_HOST)
_FILE = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_-]*(?:[./][A-Za-z0-9_-]+)+|(?:/[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)+)")
_NUMBER = re.compile(
    r"(?P<version>[0-9]+(?:\.[0-9]+){2,})"
    r"|(?P<sfloat>[-+]?[0-9]+(?:\.[0-9]+)?[eE][-+]?[0-9]+)"
    r"|(?P<float>[-+]?[0-9]+\.[0-9]+)"
    r"|(?P<int>[-+][0-9]+)"
    r"|(?P<uint>[0-9]+)"
)
_WORD = re.compile(r"[^\W_]+")
_COMPOUND = re.compile(r"[^\W_]+(?:-[^\W_]+)+")


class Token(NamedTuple):
    kind: str
    text: str


def _word_kind(text: str, suffix: str = "word") -> str:
    if any(c.isdigit() for c in text):
        return "num" + suffix
    return ("ascii" if text.isascii() else "") + suffix


def _part_kind(text: str) -> str:
    if any(c.isdigit() for c in text):
        return "hword_numpart"
    return "hword_asciipart" if text.isascii() else "hword_part"


def _compound(text: str, start: int) -> list[str] | None:
    """The parts of a hyphenated word starting at ``start`` (None when there is none): a part of
    digits only ends it before its hyphen, as PostgreSQL's parser backs off there."""
    found = _COMPOUND.match(text, start)
    if not found:
        return None
    parts = found.group().split("-")
    if parts[0].isdigit():
        return None
    kept = [parts[0]]
    for part in parts[1:]:
        if part.isdigit():
            break
        kept.append(part)
    return kept if len(kept) > 1 else None


def tokens(text: str) -> Iterator[Token]:
    """The tokens the default parser gives lexemes to, in order (blanks left out)."""
    i, n = 0, len(text)
    after_compound = False
    while i < n:
        ch = text[i]
        if not (ch.isalnum() or ch in "<&/-+._"):
            i += 1
            continue
        skipped = _SKIPPED.match(text, i)
        if skipped:
            i = skipped.end()
            continue
        if ch.isalnum() or ch == "_" or ch == "/":
            found = _EMAIL.match(text, i)
            if found:
                yield Token("email", found.group())
                i = found.end()
                continue
            found = _URL.match(text, i)
            if found:
                yield Token("url", found.group())
                yield Token("host", found.group(1))
                yield Token("url_path", found.group(2))
                i = found.end()
                continue
            found = _HOST_RE.match(text, i)
            if found:
                yield Token("host", found.group())
                i = found.end()
                continue
            found = _FILE.match(text, i)
            if found and not ch.isdigit():
                yield Token("file", found.group())
                i = found.end()
                continue
        if ch == "-" and after_compound:
            i += 1
            after_compound = False
            continue
        after_compound = False
        if ch.isalnum():
            parts = _compound(text, i)
            if parts:
                whole = "-".join(parts)
                yield Token(_word_kind(whole, "hword"), whole)
                for part in parts:
                    yield Token(_part_kind(part), part)
                i += len(whole)
                after_compound = True
                continue
        number = _NUMBER.match(text, i)
        if number and not (number.lastgroup in ("int", "uint") and number.end() < n and text[number.end()].isalpha()):
            yield Token(number.lastgroup, number.group())  # digits running into letters are a word
            i = number.end()
            continue
        word = _WORD.match(text, i)
        if word:
            yield Token(_word_kind(word.group()), word.group())
            i = word.end()
            continue
        i += 1
