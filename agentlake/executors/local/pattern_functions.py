"""``pg_similar_regex(pattern, escape)``: the regular expression of a SIMILAR TO pattern that is
not a constant (``sql/rules/similar_to`` translates constant ones before the statement runs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from ...sql.similar_patterns import similar_to_regex

if TYPE_CHECKING:
    from datafusion import SessionContext


def _similar_regexes(patterns: pa.Array, escapes: pa.Array) -> pa.Array:
    pairs = zip(patterns.to_pylist(), escapes.to_pylist())
    return pa.array([None if p is None else similar_to_regex(p, e or None) for p, e in pairs], pa.utf8())


def register_pattern_functions(ctx: SessionContext) -> None:
    from datafusion import udf

    ctx.register_udf(udf(_similar_regexes, [pa.utf8(), pa.utf8()], pa.utf8(), "immutable", name="pg_similar_regex"))
