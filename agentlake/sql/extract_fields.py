"""``extract(field FROM x)`` as PostgreSQL answers it: a numeric, seconds with their fraction; the
decade, century and millennium (which DataFusion lacks) counted from the year as PostgreSQL counts.

DataFusion's ``date_part`` gives whole seconds (``extract(second FROM '00:00:01.5')`` was 1, where
PostgreSQL says 1.500000), integers for the other fields and a float8 epoch. PostgreSQL's
``extract`` is numeric since version 14 (``second`` and ``epoch`` to six places, ``milliseconds``
to three, the others whole), and ``date_part`` the same values as float8. Seconds and milliseconds
are computed here from the microseconds of the minute, exactly; the epoch from DataFusion's, to
six places.
"""

from __future__ import annotations

from sqlglot import exp

from .dialect import WRITTEN_NAME
from .rules.column_names import PG_NAME, pg_name

_MICROSECONDS_IN = {"SECOND": 6, "SECONDS": 6, "MILLISECOND": 3, "MILLISECONDS": 3}
"""Fields computed from the microseconds (``second`` is microseconds / 10^6): their scale."""
_EPOCH_SCALE = 6
_ANSWERED = "pg_extract"
"""Meta of the date_part calls this rule wrote, which a second pass over the tree leaves alone."""


def extract_fields(tree: exp.Expression) -> bool:
    """Rewrite, in place, every extract and date_part; True when there was any."""
    calls = [node for node in tree.find_all(exp.Extract) if _ANSWERED not in node.meta]
    for call in calls:
        answer = _answer(call)
        answer.meta[PG_NAME] = pg_name(call)
        call.replace(answer)
    return bool(calls)


_OF_YEARS = {"DECADE": 10, "CENTURY": 100, "MILLENNIUM": 1000}
"""Fields counted in years (DataFusion has none of them): how many years each is."""


def _of_years(year: exp.Expression, size: int) -> exp.Expression:
    """The decade, century or millennium of a year as PostgreSQL numbers them: the 21st century
    began in 2001 (decades start at years divisible by 10); before year 1 they count down."""
    number = exp.Literal.number

    def quotient(dividend: exp.Expression) -> exp.Expression:  # integer division, toward zero
        return exp.cast(
            exp.Anonymous(this="trunc", expressions=[exp.Div(this=dividend, expression=number(size))]), "BIGINT"
        )

    if size == 10:
        after, first = quotient(year.copy()), exp.GTE(this=year.copy(), expression=number(0))
        before = exp.Neg(
            this=quotient(
                exp.Sub(this=number(8), expression=exp.Paren(this=exp.Sub(this=year.copy(), expression=number(1))))
            )
        )
    else:
        after, first = (
            quotient(exp.Add(this=year.copy(), expression=number(size - 1))),
            exp.GT(this=year.copy(), expression=number(0)),
        )
        before = exp.Neg(
            this=quotient(
                exp.Sub(
                    this=number(size - 1), expression=exp.Paren(this=exp.Sub(this=year.copy(), expression=number(1)))
                )
            )
        )
    return exp.Case(ifs=[exp.If(this=first, true=after)], default=before)


def _answer(call: exp.Extract) -> exp.Expression:
    field = call.this.name.upper()
    as_float = call.meta.get(WRITTEN_NAME) == "date_part"
    scale = _MICROSECONDS_IN.get(field)
    if scale is not None:
        micro = exp.Extract(this=exp.var("MICROSECOND"), expression=call.expression.copy())
        micro.meta[_ANSWERED] = True
        if as_float:
            return exp.Div(this=exp.cast(micro, "DOUBLE"), expression=exp.Literal.number(10**scale))
        fraction = exp.cast(exp.Literal.string(f"{10**-scale:.{scale}f}"), f"DECIMAL({scale + 1}, {scale})")
        return exp.cast(exp.Mul(this=exp.cast(micro, "DECIMAL(20, 0)"), expression=fraction), f"DECIMAL(24, {scale})")
    plain = call.copy()
    plain.meta[_ANSWERED] = True
    if field in _OF_YEARS:
        plain.set("this", exp.var("YEAR"))
        plain = _of_years(exp.cast(plain, "BIGINT"), _OF_YEARS[field])  # an integer: / truncates
    if as_float:
        return exp.cast(plain, "DOUBLE")
    if field == "EPOCH":
        rounded = exp.Anonymous(this="round", expressions=[plain, exp.Literal.number(_EPOCH_SCALE)])
        return exp.cast(rounded, f"DECIMAL(24, {_EPOCH_SCALE})")
    return exp.cast(plain, "DECIMAL(20, 0)")
