"""pgvector's aggregate support functions, callable from SQL as in pgvector: ``vector_accum(state,
v)``, ``vector_combine(a, b)`` and ``vector_avg(state)`` (and the ``halfvec_`` ones).

A state is a float8 array ``{count, sum_1, ..., sum_n}``; ``{0}`` is the empty state. Each
function checks its state as pgvector's CheckStateArray does (one dimension, at least one
element, no NULLs) and raises its error, naming the function.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pyarrow as pa

from ..errors import DataError, InternalError
from .arrays import VECTOR_RESULT, VECTOR_TYPE, expected_dimensions, to_matrix
from .dense_text import check_dimensions
from .halfvec import HALFVEC_RESULT, half_result

STATE = pa.list_(pa.float64())


def _state(value, caller: str) -> np.ndarray:
    """A state from PostgreSQL's array text (``{1,2}``) or an array value; else pgvector's error."""
    if isinstance(value, str):
        body = value.strip()
        if not (body.startswith("{") and body.endswith("}")) or "{" in body[1:-1] or "}" in body[1:-1]:
            raise InternalError(f"[SQLSTATE XX000] {caller}: expected state array", sqlstate="XX000")
        items = [item.strip() for item in body[1:-1].split(",")] if body[1:-1].strip() else []
        value = [None if item.upper() == "NULL" else float(item) for item in items]
    if not value or any(x is None or isinstance(x, list) for x in value):
        raise InternalError(f"[SQLSTATE XX000] {caller}: expected state array", sqlstate="XX000")
    return np.asarray(value, dtype=np.float64)


def _values(array: pa.Array) -> list:
    return [v if isinstance(v, (str, type(None))) else list(v) for v in array.to_pylist()]


def _avg(kind: str) -> Callable[[pa.Array], pa.Array]:
    caller = f"{kind}_avg"

    def call(states: pa.Array) -> pa.Array:
        out = []
        for value in _values(states):
            if value is None:
                out.append(None)
                continue
            state = _state(value, caller)
            if state[0] == 0:  # the average of no values is NULL, before any dimension is looked at
                out.append(None)
                continue
            check_dimensions(len(state) - 1, kind)
            out.append((state[1:] / state[0]).astype(np.float32).tolist())
        vectors = pa.array(out, VECTOR_RESULT)
        return half_result(vectors) if kind == "halfvec" else vectors

    return call


def _accum(kind: str) -> Callable[[pa.Array, pa.Array], pa.Array]:
    caller = f"{kind}_accum"

    def call(states: pa.Array, vectors: pa.Array) -> pa.Array:
        values, valid, lengths = to_matrix(vectors, np.float64)
        out = []
        for value, row, ok, n in zip(_values(states), values, valid, lengths):
            if value is None or not ok:
                out.append(None)
                continue
            state = _state(value, caller)
            if len(state) > 1 and len(state) - 1 != n:
                raise expected_dimensions(len(state) - 1, int(n))
            sums = state[1:] if len(state) > 1 else np.zeros(n)
            with np.errstate(over="ignore"):
                total = sums + row[:n]
            if np.isinf(total).any():
                raise DataError("[SQLSTATE 22003] value out of range: overflow", sqlstate="22003")
            out.append([state[0] + 1, *total.tolist()])
        return pa.array(out, STATE)

    return call


def _combine(kind: str) -> Callable[[pa.Array, pa.Array], pa.Array]:
    caller = f"{kind}_combine"

    def call(left: pa.Array, right: pa.Array) -> pa.Array:
        out = []
        for a, b in zip(_values(left), _values(right)):
            if a is None or b is None:
                out.append(None)
                continue
            first, second = _state(a, caller), _state(b, caller)
            for state in (first, second):
                check_dimensions(max(len(state) - 1, 1), kind)
            if first[0] == 0:
                out.append(second.tolist())
            elif second[0] == 0:
                out.append(first.tolist())
            elif len(first) != len(second):
                raise expected_dimensions(len(first) - 1, len(second) - 1)
            else:
                out.append((first + second).tolist())
        return pa.array(out, STATE)

    return call


def state_functions() -> dict:
    """(function, argument types, result type) by name; ``<kind>_avg`` is registered as
    ``<kind>_avg_state`` (the aggregate owns the plain name) and the front end renames calls."""
    out = {}
    for kind, result in (("vector", VECTOR_RESULT), ("halfvec", HALFVEC_RESULT)):
        out[f"{kind}_avg_state"] = (_avg(kind), [pa.string()], result)
        out[f"{kind}_accum"] = (_accum(kind), [pa.string(), VECTOR_TYPE], STATE)
        out[f"{kind}_combine"] = (_combine(kind), [pa.string(), pa.string()], STATE)
    return out
