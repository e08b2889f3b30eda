"""Text-search configurations ``simple`` and ``english``: which dictionary each token kind goes to.

As in PostgreSQL, ``simple`` lower-cases every token; ``english`` sends words to the Snowball
English stemmer (the one PostgreSQL's ``english_stem`` dictionary runs, from ``snowballstemmer``)
after dropping the Snowball stop words (``english.stop``, the list PostgreSQL ships), and numbers,
hosts, URLs, e-mail addresses and file names to ``simple``. A stop word yields no lexeme but still
takes its position, so phrases across it keep their distance.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from importlib import resources
from typing import Callable

import snowballstemmer

from ....errors import ProgrammingError
from .parser import tokens

DEFAULT_CONFIG = "english"
"""PostgreSQL's ``default_text_search_config`` out of the box: ``pg_catalog.english``."""

MAX_POSITION = 16383
"""Positions above this are stored as this (PostgreSQL's MAXENTRYPOS - 1)."""

_STEMMED_KINDS = {"asciiword", "word", "asciihword", "hword", "hword_asciipart", "hword_part"}
_INDEXED_KINDS = _STEMMED_KINDS | {
    "numword",
    "numhword",
    "hword_numpart",
    "email",
    "url",
    "host",
    "url_path",
    "file",
    "sfloat",
    "float",
    "int",
    "uint",
    "version",
}


@lru_cache(maxsize=1)
def _english_stop_words() -> frozenset[str]:
    text = resources.files(__package__).joinpath("english.stop").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


_local = threading.local()


def _english_stemmer():
    """One stemmer per thread: a Snowball stemmer keeps the word it works on in itself, and
    DataFusion calls functions from several threads at once."""
    stemmer = getattr(_local, "english", None)
    if stemmer is None:
        stemmer = _local.english = snowballstemmer.stemmer("english")
    return stemmer


def _simple(token: str) -> str | None:
    return token.lower()


def _english_stem(token: str) -> str | None:
    word = token.lower()
    if word in _english_stop_words():
        return None
    return _english_stemmer().stemWord(word)


Dictionary = Callable[[str], "str | None"]
"""A token's lexeme, or None for a stop word."""


def _dictionaries(config: str) -> Callable[[str], Dictionary | None]:
    if config == "simple":
        return lambda kind: _simple if kind in _INDEXED_KINDS else None
    return lambda kind: (_english_stem if kind in _STEMMED_KINDS else _simple) if kind in _INDEXED_KINDS else None


def config_name(name: str | None) -> str:
    """A configuration's name as PostgreSQL resolves ``regconfig`` (optionally ``pg_catalog.``);
    an unknown one is 42704."""
    if name is None:
        return DEFAULT_CONFIG
    text = name.strip().lower()
    if text.startswith("pg_catalog."):
        text = text[len("pg_catalog.") :]
    if text not in ("simple", "english"):
        raise ProgrammingError(f'text search configuration "{name}" does not exist', sqlstate="42704")
    return text


def lexemes(config: str, text: str) -> list[tuple[int, str]]:
    """(position, lexeme) for each token of ``text`` with a lexeme, positions counted from 1 over
    every indexed token (stop words included)."""
    dictionary_for = _dictionaries(config)
    out: list[tuple[int, str]] = []
    position = 0
    for token in tokens(text):
        dictionary = dictionary_for(token.kind)
        if dictionary is None or len(token.text) >= 2047:  # PostgreSQL skips words that long
            continue
        position += 1
        lexeme = dictionary(token.text)
        if lexeme:
            out.append((min(position, MAX_POSITION), lexeme))
    return out
