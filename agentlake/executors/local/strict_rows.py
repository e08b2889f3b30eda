"""Scalar UDFs written a row at a time, as PostgreSQL's STRICT functions behave."""

from __future__ import annotations

from typing import Callable

import pyarrow as pa


def strict_rows(fn: Callable, output: pa.DataType) -> Callable[..., pa.Array]:
    """A row-by-row Arrow function of ``fn``, NULL wherever an argument is NULL (a STRICT function)."""

    def run(*arrays: pa.Array) -> pa.Array:
        rows = zip(*(a.to_pylist() for a in arrays))
        return pa.array([None if None in row else fn(*row) for row in rows], output)

    return run
