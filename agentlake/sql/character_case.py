"""``upper(x)`` and ``lower(x)`` as the local executor's ``pg_upper`` and ``pg_lower``, which map a
character at a time as PostgreSQL does (``upper('straße')`` is ``STRAßE``, ``lower('ΣΑΣ')`` is
``σασ``; DataFusion's full Unicode mappings wrote ``STRASSE`` and a final ``ς``)."""

from __future__ import annotations

from sqlglot import exp

from .rules.column_names import PG_NAME, pg_name

UPPER, LOWER = "pg_upper", "pg_lower"
ENGINE_SPELLINGS = {UPPER: "upper", LOWER: "lower"}
"""How PostgreSQL spells each of these calls (a stored view's text shows them)."""


def character_case(tree: exp.Expression) -> bool:
    """Rewrite, in place, every upper and lower call; True when there was any."""
    calls = list(tree.find_all(exp.Upper, exp.Lower))
    for node in reversed(calls):  # the innermost first: an outer call takes its rewritten argument
        mapped = exp.Anonymous(this=UPPER if isinstance(node, exp.Upper) else LOWER, expressions=[node.this.copy()])
        mapped.meta[PG_NAME] = pg_name(node)
        node.replace(mapped)
    return bool(calls)
