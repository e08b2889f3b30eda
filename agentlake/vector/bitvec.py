"""pgvector's distances over PostgreSQL's ``bit(n)``: ``hamming_distance`` (``<~>``) and
``jaccard_distance`` (``<%>``), and explicit ``bit(n)``/``varbit(n)`` casts.

Bit strings are kept in PostgreSQL's text form (``'1010'``), which is also their output, so a
distance is a character comparison; both are exact, as pgvector's are.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pyarrow as pa

from ..errors import DataError


def _bits(text: str) -> np.ndarray:
    bits = np.frombuffer(text.encode(), dtype=np.uint8) - ord("0")
    if (bits > 1).any():
        bad = next(ch for ch in text if ch not in "01")
        raise DataError(f'[SQLSTATE 22P02] "{bad}" is not a valid binary digit', sqlstate="22P02")
    return bits.astype(bool)


def _pairwise(op: Callable[[np.ndarray, np.ndarray], float]) -> Callable[[pa.Array, pa.Array], pa.Array]:
    def call(left: pa.Array, right: pa.Array) -> pa.Array:
        out = []
        for a, b in zip(left.to_pylist(), right.to_pylist()):
            if a is None or b is None:
                out.append(None)
                continue
            if len(a) != len(b):
                raise DataError(f"[SQLSTATE 22000] different bit lengths {len(a)} and {len(b)}", sqlstate="22000")
            out.append(op(_bits(a), _bits(b)))
        return pa.array(out, pa.float64())

    return call


def _hamming(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a != b))


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    both = np.count_nonzero(a & b)
    if both == 0:
        return 1.0
    return 1.0 - both / float(np.count_nonzero(a) + np.count_nonzero(b) - both)


def _cast(values: pa.Array, lengths: pa.Array, varying: pa.Array) -> pa.Array:
    """An explicit ``x::bit(n)``: right-padded with zeros or truncated to n bits, as PostgreSQL's
    length coercion does; ``x::varbit(n)`` truncates only."""
    out = []
    for text, n, vary in zip(values.to_pylist(), lengths.to_pylist(), varying.to_pylist()):
        if text is not None:
            _bits(text)
            text = text[:n] if vary or n is None else text[:n].ljust(n, "0")
        out.append(text)
    return pa.array(out, pa.string())


BIT_FUNCTIONS = {
    "hamming_distance": (_pairwise(_hamming), [pa.string(), pa.string()], pa.float64()),
    "jaccard_distance": (_pairwise(_jaccard), [pa.string(), pa.string()], pa.float64()),
    "bit_cast": (_cast, [pa.string(), pa.int64(), pa.bool_()], pa.string()),
}
"""(function, argument types, result type) by name, registered with the vector functions."""
