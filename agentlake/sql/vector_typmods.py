"""pgvector's type modifiers (``vector(3)``, ``halfvec(384)``, ``sparsevec(30522)``), checked as its
``*_typmod_in`` functions check them: one positive integer up to the type's maximum dimension.
Shared by column definitions (``sql.types``) and casts (``vector.literals``)."""

from __future__ import annotations

from sqlglot import exp

from ..errors import DataError, Error, ProgrammingError

MAX_DIM = {"vector": 16000, "halfvec": 16000, "sparsevec": 1_000_000_000}
"""The most dimensions each type's modifier (and value) may have."""


def typmod_error(kind: str, params: list[exp.Expression]) -> Error | None:
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
