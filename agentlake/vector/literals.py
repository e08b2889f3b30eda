"""Vector literals checked while the statement is analysed, as PostgreSQL runs a type's input
function on a quoted constant: a bad ``'[1,x]'::vector`` is reported with the constant's position
(psql's ``LINE 1:`` and caret), and a bad type modifier (``vector(0)``) with the type's."""

from __future__ import annotations

from sqlglot import exp

from ..errors import DataError, Error, ProgrammingError
from .dense_text import MAX_DIM, parse_dense
from .sparsevec import parse_sparse


def _typmod_error(kind: str, params: list[exp.Expression]) -> Error | None:
    """PostgreSQL's error for ``kind(params)``, or None when the modifier is a valid dimension."""
    if len(params) > 1:
        return ProgrammingError("invalid type modifier", sqlstate="22023")
    value = params[0].this if isinstance(params[0], exp.DataTypeParam) else params[0]
    if isinstance(value, exp.Literal) and value.is_string:
        return DataError(f'invalid input syntax for type integer: "{value.this}"', sqlstate="22P02")
    dim = int(value.name)
    if dim < 1:
        return ProgrammingError(f"dimensions for type {kind} must be at least 1", sqlstate="22023")
    if dim > MAX_DIM[kind]:
        return ProgrammingError(f"dimensions for type {kind} cannot exceed {MAX_DIM[kind]}", sqlstate="22023")
    return None


def check_literal_cast(cast: exp.Cast, kind: str) -> None:
    """Raise what PostgreSQL raises for ``'text'::kind(n)`` at parse analysis (input syntax, range,
    NaN, the type modifier), with its position; the dimension check (``expected n dimensions``)
    happens when the value is made, without one."""
    literal = cast.this
    start = literal.meta.get("start") if isinstance(literal, exp.Literal) else None
    params = cast.to.expressions
    if params:
        err = _typmod_error(kind, params)
        if err is not None:
            end = literal.meta.get("end") if isinstance(literal, exp.Literal) else None
            err.position = end + 4 if end is not None else None  # the type name after '...'::
            raise err
    if not (isinstance(literal, exp.Literal) and literal.is_string):
        return
    try:
        parse_sparse(literal.this) if kind == "sparsevec" else parse_dense(literal.this, kind)
    except DataError as err:
        err.position = start + 1 if start is not None else None
        raise
