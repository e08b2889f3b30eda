"""Logarithms, exponentials, powers and inverse sines as PostgreSQL bounds them: ``ln(0)`` is
2201E "cannot take logarithm of zero", ``power(-8, 0.5)`` 2201F, ``exp(1000)`` and ``acos(2)``
22003, where DataFusion answers -inf, NaN or inf.

Each call becomes the local executor's checked function of the same float8 arithmetic
(``executors/local/math_functions.py``), named as written. ``exp`` of a numeric operand is left
alone and a power of one is checked for its domain only: PostgreSQL computes those in numeric,
whose range is far beyond float8's. The results' types are unchanged (float8 here, as before).
"""

from __future__ import annotations

from sqlglot import exp

from .column_types import SchemaOf, column_fields
from .rounding import numeric_kind
from .rules.column_names import PG_NAME, pg_name

LN, LOG, EXP, POWER, ACOS, ASIN = "pg_ln", "pg_log", "pg_exp", "pg_power", "pg_acos", "pg_asin"
NUMERIC_POWER = "pg_numeric_power"
"""A power of numeric operands: PostgreSQL's domain errors, without float8's overflow (numeric's
range is far wider)."""
_NUMERIC_RANGE = (exp.Exp, exp.Pow)
"""Calls whose float8 range check does not hold for a numeric operand."""


def math_domains(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, the calls whose domain or range PostgreSQL checks; True when any was."""
    # innermost first: an outer call copies its operands, rewritten by then (ln(ln(x)))
    calls = list(tree.find_all(exp.Ln, exp.Log, exp.Exp, exp.Pow, exp.Acos, exp.Asin))[::-1]
    if not calls:
        return False
    fields = column_fields(tree, schema_of) if any(isinstance(c, _NUMERIC_RANGE) for c in calls) else {}
    changed = False
    for call in calls:
        numeric = isinstance(call, _NUMERIC_RANGE) and "numeric" in _kinds(call, fields)
        if numeric and isinstance(call, exp.Exp):
            continue
        name = NUMERIC_POWER if numeric else _FUNCTIONS[type(call)]
        checked = exp.Anonymous(this=name, expressions=[_double(a) for a in _arguments(call)])
        checked.meta[PG_NAME] = pg_name(call)
        call.replace(checked)
        changed = True
    return changed


_FUNCTIONS = {exp.Ln: LN, exp.Log: LOG, exp.Exp: EXP, exp.Pow: POWER, exp.Acos: ACOS, exp.Asin: ASIN}


def _arguments(call: exp.Expression) -> list[exp.Expression]:
    """The operands in the checked function's order: ``log(x)`` is the base 10 logarithm, as
    ``log10(x)`` (which sqlglot reads as ``log(10, x)``)."""
    if isinstance(call, exp.Log):
        base, value = call.this, call.expression
        return [exp.Literal.number(10), base] if value is None else [base, value]
    return [call.this] + ([call.expression] if call.expression is not None else [])


def _kinds(call: exp.Expression, fields) -> set[str | None]:
    return {numeric_kind(operand, fields) for operand in _arguments(call)}


def _double(node: exp.Expression) -> exp.Expression:
    return exp.Cast(this=node.copy(), to=exp.DataType.build("DOUBLE"))
