"""Vector literals checked while the statement is analysed, as PostgreSQL runs a type's input
function on a quoted constant: a bad ``'[1,x]'::vector`` is reported with the constant's position
(psql's ``LINE 1:`` and caret), and a bad type modifier (``vector(0)``) with the type's."""

from __future__ import annotations

from sqlglot import exp

from ..errors import DataError
from ..sql.vector_typmods import typmod_error
from .dense_text import parse_dense
from .sparsevec import parse_sparse


def check_literal_cast(cast: exp.Cast, kind: str) -> None:
    """Raise what PostgreSQL raises for ``'text'::kind(n)`` at parse analysis (input syntax, range,
    NaN, the type modifier), with its position; the dimension check (``expected n dimensions``)
    happens when the value is made, without one."""
    literal = cast.this
    start = literal.meta.get("start") if isinstance(literal, exp.Literal) else None
    params = cast.to.expressions
    if params:
        err = typmod_error(kind, params)
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
