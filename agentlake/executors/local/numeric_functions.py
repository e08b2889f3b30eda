"""``pg_numeric_quotient``: a numeric division as PostgreSQL computes it, for the averages and
quotients a statement returns, and ``pg_numeric_spread``, its variances and standard deviations
of integers and numerics (``sql/numeric_quotients.py``); and PostgreSQL's ``scale``,
``min_scale`` and ``trim_scale`` of a numeric, from its text (which carries its scale)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal
from typing import TYPE_CHECKING

import pyarrow as pa

from ...errors import DataError
from ...sql.numeric_quotients import QUOTIENT, SPREAD
from ...sql.rules.function_synonyms import MIN_SCALE, SCALE, TRIM_SCALE
from ...sql.rules.numeric_division import quotient
from ...sql.unconstrained_numeric import UNCONSTRAINED
from .strict_rows import strict_rows

if TYPE_CHECKING:
    from datafusion import SessionContext

QUOTIENT_TYPE = pa.decimal256(76, 38)
"""Wide enough for any quotient of numeric(38) operands at the 16 or more digits PostgreSQL keeps."""
_STORED = Decimal(1).scaleb(-QUOTIENT_TYPE.scale)
_WIDE = Context(prec=QUOTIENT_TYPE.precision + 2)


def _stored(value: Decimal) -> Decimal:
    """``value`` at the column's scale (a context wide enough for its 76 digits)."""
    return value.quantize(_STORED, context=_WIDE)


def _scale(value: Decimal) -> int:
    return max(-value.as_tuple().exponent, 0)


def numeric_quotient(dividends: pa.Array, divisors: pa.Array) -> pa.Array:
    """Row by row: NULL where either is NULL, 22012 for a zero divisor, else the quotient at the
    scale PostgreSQL picks from both values (their text keeps the scale each was written at)."""
    out = []
    for dividend, divisor in zip(dividends.to_pylist(), divisors.to_pylist()):
        if dividend is None or divisor is None:
            out.append(None)
            continue
        left, right = Decimal(dividend), Decimal(divisor)
        if not right:
            raise DataError("[SQLSTATE 22012] division by zero", sqlstate="22012")
        out.append(_stored(quotient(left, _scale(left), right, _scale(right))))
    return pa.array(out, QUOTIENT_TYPE)


def spread(count: str, total: str, squares: str, sample: bool, root: bool) -> Decimal | None:
    """PostgreSQL's numeric variance (or its square root) of ``count`` values from their sum and
    sum of squares: (N·Σx² − (Σx)²) / (N·(N−1)), or N² for the population, divided at the scale it
    picks from the two (``select_div_scale``) and rooted at that scale; 0 where rounding would make
    it negative; NULL without values (or with one, for a sample)."""
    n, sx, sx2 = Decimal(count), Decimal(total), Decimal(squares)
    if n == 0 or (sample and n == 1):
        return None
    numerator = _WIDE.subtract(_WIDE.multiply(n, sx2), _WIDE.multiply(sx, sx))
    if numerator <= 0:
        return Decimal(0)
    denominator = n * (n - 1) if sample else n * n
    variance = quotient(numerator, 2 * _scale(sx), denominator, 0)
    if not root:
        return _stored(variance)
    rooted = _WIDE.sqrt(variance).quantize(Decimal(1).scaleb(variance.as_tuple().exponent), ROUND_HALF_UP, _WIDE)
    return _stored(rooted)


def _spreads(counts: pa.Array, totals: pa.Array, squares: pa.Array, samples: pa.Array, roots: pa.Array) -> pa.Array:
    rows = zip(*(column.to_pylist() for column in (counts, totals, squares, samples, roots)))
    return pa.array([None if None in row else spread(*row) for row in rows], QUOTIENT_TYPE)


def display_scale(text: str) -> int:
    """The digits after the point a numeric's text shows (``scale(8.4100)`` is 4)."""
    return _scale(Decimal(text))


def least_scale(text: str) -> int:
    """The fewest digits after the point that keep the value exact (``min_scale(8.4100)`` is 2)."""
    value = Decimal(text)
    return _scale(value.normalize()) if value else 0


def trimmed(text: str) -> str:
    """The numeric's text without trailing zeros after the point (``trim_scale(8.4100)``: 8.41)."""
    value = Decimal(text)
    return format(value.quantize(Decimal(1).scaleb(-least_scale(text))), "f")


def register_numeric_functions(ctx: SessionContext) -> None:
    from datafusion import udf

    text, int4 = pa.string(), pa.int32()
    ctx.register_udf(udf(strict_rows(display_scale, int4), [text], int4, "immutable", SCALE))
    ctx.register_udf(udf(strict_rows(least_scale, int4), [text], int4, "immutable", MIN_SCALE))
    ctx.register_udf(udf(strict_rows(trimmed, text), [text], text, "immutable", TRIM_SCALE))
    result = pa.field(QUOTIENT, QUOTIENT_TYPE, metadata=UNCONSTRAINED)
    ctx.register_udf(udf(numeric_quotient, [pa.string(), pa.string()], result, "immutable", QUOTIENT))
    flag = pa.bool_()
    spreads = pa.field(SPREAD, QUOTIENT_TYPE, metadata=UNCONSTRAINED)
    ctx.register_udf(udf(_spreads, [text, text, text, flag, flag], spreads, "immutable", SPREAD))


def quotient_columns(described: pa.Schema) -> frozenset[int]:
    """Which columns of a described result are numeric averages and quotients."""
    return frozenset(index for index, field in enumerate(described) if field.type == QUOTIENT_TYPE)


def with_numeric_quotients(table: pa.Table, described: pa.Schema) -> pa.Table:
    """A Dask answer's averages and quotients typed as the local executor returns them (numeric,
    unconstrained), from the floats its partitions computed them in (by their shortest digits)."""
    for index in quotient_columns(described):
        field = described.field(index)
        if index >= table.num_columns or table.column(index).type == QUOTIENT_TYPE:
            continue
        exact = [
            None if v is None else _stored(Decimal(repr(v) if isinstance(v, float) else v))
            for v in table.column(index).to_pylist()
        ]
        table = table.set_column(index, field.with_name(table.column_names[index]), pa.array(exact, QUOTIENT_TYPE))
    return table
