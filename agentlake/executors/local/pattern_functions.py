"""Pattern functions DataFusion lacks: ``pg_similar_regex(pattern, escape)``, the regular
expression of a SIMILAR TO pattern that is not a constant (``sql/rules/similar_to`` translates
constant ones before the statement runs), ``regexp_split_to_array(text, pattern[, flags])`` and
the rows of ``regexp_matches(text, pattern[, flags])``."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

import pyarrow as pa

from ...errors import DataError
from ...sql.similar_patterns import similar_to_regex
from .strict_rows import strict_rows

if TYPE_CHECKING:
    from datafusion import SessionContext


def _similar_regexes(patterns: pa.Array, escapes: pa.Array) -> pa.Array:
    pairs = zip(patterns.to_pylist(), escapes.to_pylist())
    return pa.array([None if p is None else similar_to_regex(p, e or None) for p, e in pairs], pa.utf8())


@lru_cache(maxsize=256)
def _compiled(pattern: str, flags: str) -> re.Pattern:
    """``pattern`` with PostgreSQL's i (insensitive) and c (sensitive, the default; the last one
    written wins) flags; 22023 for other flags, 2201B for a pattern that does not compile."""
    unknown = set(flags) - {"i", "c"}
    if unknown:
        raise DataError(f'[SQLSTATE 22023] invalid regular expression option: "{min(unknown)}"', sqlstate="22023")
    try:
        return re.compile(pattern, re.IGNORECASE if flags.rfind("i") > flags.rfind("c") else 0)
    except re.error as err:
        raise DataError(f"[SQLSTATE 2201B] invalid regular expression: {err}", sqlstate="2201B") from None


def regexp_split(text: str, pattern: str, flags: str = "") -> list[str]:
    """PostgreSQL's split: a match of zero length at the start or end of the text, or right after
    the previous match, does not split."""
    if "g" in flags:
        raise DataError(
            '[SQLSTATE 22023] regexp_split_to_array() does not support the "global" option', sqlstate="22023"
        )
    parts, start, previous_end = [], 0, -1
    for match in _compiled(pattern, flags).finditer(text):
        empty = match.start() == match.end()
        if empty and match.start() in (0, len(text), previous_end):
            continue
        parts.append(text[start : match.start()])
        start = previous_end = match.end()
    parts.append(text[start:])
    return parts


def regexp_matches(text: str, pattern: str, flags: str = "") -> list[list[str | None]]:
    """PostgreSQL's regexp_matches: for the first match (every match with the g flag), its
    parenthesized groups, or the whole match where the pattern has none."""
    compiled = _compiled(pattern, flags.replace("g", ""))
    found = compiled.finditer(text) if "g" in flags else [m for m in [compiled.search(text)] if m]
    return [list(m.groups()) if compiled.groups else [m.group(0)] for m in found]


def _matches(texts: pa.Array, patterns: pa.Array, flags: pa.Array) -> pa.Array:
    rows = zip(texts.to_pylist(), patterns.to_pylist(), flags.to_pylist())
    return pa.array(
        [[] if t is None or p is None or f is None else regexp_matches(t, p, f) for t, p, f in rows],
        pa.list_(pa.list_(pa.utf8())),
    )


def register_pattern_functions(ctx: SessionContext) -> None:
    from datafusion import udf

    text = pa.utf8()
    ctx.register_udf(udf(_similar_regexes, [text, text], text, "immutable", name="pg_similar_regex"))
    split = strict_rows(regexp_split, pa.list_(text))
    ctx.register_udf(udf(split, [text, text, text], pa.list_(text), "immutable", name="pg_regexp_split"))
    matches = pa.list_(pa.list_(text))
    ctx.register_udf(udf(_matches, [text, text, text], matches, "immutable", name="pg_regexp_matches"))
