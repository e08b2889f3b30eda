"""Pattern functions DataFusion lacks: ``pg_similar_regex(pattern, escape)``, the regular
expression of a SIMILAR TO pattern that is not a constant (``sql/rules/similar_to`` translates
constant ones before the statement runs), ``regexp_split_to_array(text, pattern[, flags])``, the
rows of ``regexp_matches(text, pattern[, flags])``, and ``regexp_substr``/``regexp_instr`` (the
N-th match from a start, or one of its parenthesized parts), with Python's ``re`` as the other
pattern functions here, so a pattern means the same in each."""

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


def _refuse_parameter(name: str, value: int) -> None:
    raise DataError(f'[SQLSTATE 22023] invalid value for parameter "{name}": {value}', sqlstate="22023")


def _nth_match(function: str, text: str, pattern: str, start: int, n: int, flags: str, subexpr: int) -> re.Match | None:
    """The ``n``-th match at or after character ``start`` (1-based), matches not overlapping."""
    for name, value, lowest in (("start", start, 1), ("n", n, 1), ("subexpr", subexpr, 0)):
        if value < lowest:
            _refuse_parameter(name, value)
    if "g" in flags:
        raise DataError(f'[SQLSTATE 22023] {function}() does not support the "global" option', sqlstate="22023")
    compiled = _compiled(pattern, flags)
    for count, match in enumerate(compiled.finditer(text, start - 1), 1):
        if count == n:
            return match if subexpr <= compiled.groups else None
    return None


def regexp_substr(text: str, pattern: str, start: int, n: int, flags: str, subexpr: int) -> str | None:
    """The text of the ``n``-th match (or of its ``subexpr``-th parenthesized part), NULL without one."""
    match = _nth_match("regexp_substr", text, pattern, start, n, flags, subexpr)
    return None if match is None else match.group(subexpr)


def regexp_instr(text: str, pattern: str, start: int, n: int, endoption: int, flags: str, subexpr: int) -> int:
    """Where the ``n``-th match (or its part) begins, or with ``endoption`` 1 the character after
    it ends; 0 without one."""
    if endoption not in (0, 1):
        _refuse_parameter("endoption", endoption)
    match = _nth_match("regexp_instr", text, pattern, start, n, flags, subexpr)
    if match is None or match.start(subexpr) < 0:
        return 0
    return (match.end(subexpr) if endoption else match.start(subexpr)) + 1


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
    number = pa.int64()
    substr = strict_rows(regexp_substr, text)
    ctx.register_udf(
        udf(substr, [text, text, number, number, text, number], text, "immutable", name="pg_regexp_substr")
    )
    instr = strict_rows(regexp_instr, pa.int32())
    arguments = [text, text, number, number, number, text, number]
    ctx.register_udf(udf(instr, arguments, pa.int32(), "immutable", name="pg_regexp_instr"))
    matches = pa.list_(pa.list_(text))
    ctx.register_udf(udf(_matches, [text, text, text], matches, "immutable", name="pg_regexp_matches"))
