"""``numeric`` without precision and scale: stored as decimal128(38, 10), printed as PostgreSQL prints it.

PostgreSQL keeps each value's own scale in such a column (``1.5`` prints ``1.5``, ``10`` prints
``10``); Arrow has no per-value scale, so the column is decimal128(38, 10) and would print
``1.5000000000``. Its field carries ``results.NUMERIC_KEY`` (set when the table is created or the
column retyped), and its values print without the storage's trailing fractional zeros: over the
wire, in the embedded API's results and in ``::text``; pg_catalog reports typmod -1 and ``numeric``.

A constant cast to ``numeric`` (``'1.50'::numeric``, ``7::numeric``) becomes a numeric of its own
digits (``rules/casts.py``), as PostgreSQL keeps it.

Remaining differences: a value entered with trailing zeros (``'1.50'``) prints ``1.5``, where
PostgreSQL keeps ``1.50``; computed results over such columns (``x + 1``, ``sum(x)``) keep the
storage's scale; and where values of different scales meet in one result column (``CASE``,
``UNION``), they share the larger scale (``1.00`` beside ``2.55``, where PostgreSQL prints ``1``).
"""

from __future__ import annotations

import pyarrow as pa

from ..results import NUMERIC_KEY, plain_decimal

UNCONSTRAINED = {NUMERIC_KEY: b"unconstrained"}
"""The field metadata of an unconstrained ``numeric`` column."""


def plain_text(values: pa.Array) -> pa.Array:
    """Decimals as text without trailing fractional zeros, never in exponent notation."""
    return pa.array([None if v is None else format(plain_decimal(v), "f") for v in values.to_pylist()], pa.string())
