"""Declining, and errors raised while a Polars query runs.

A plan the compiler cannot run raises ``NotSupportedError`` (SQLSTATE 0A000) at compile
time, as the Dask compiler does, so a router falls back to DataFusion. SQL errors that
depend on the data (division by zero, a scalar subquery of several rows) must surface
while Polars runs, and Polars expressions cannot raise: :func:`checked` makes a strict
cast of a marker string fail on the offending rows, and :func:`collect` turns that
failure back into the SQL error. Any other Polars failure declines, so the local engine
answers (or reports the error it should) instead of a half-understood message.
"""

from __future__ import annotations

import re

import polars as pl

from ...errors import NotSupportedError, error_for

_MARK = "agentlake-sqlstate"
_MARKED = re.compile(_MARK + r" ([0-9A-Z]{5}): ([^\"\]]*)")


def declined(what: str) -> NotSupportedError:
    """The error for a plan node, expression or function this compiler does not run."""
    return NotSupportedError(f"{what} is not supported by the polars executor")


def checked(value: pl.Expr, failing: pl.Expr, sqlstate: str, message: str) -> pl.Expr:
    """``value``, where running the query fails with ``sqlstate`` if ``failing`` holds on any row."""
    marker = pl.when(failing).then(pl.lit(f"{_MARK} {sqlstate}: {message}")).otherwise(pl.lit("0"))
    return pl.when(marker.cast(pl.Int8, strict=True) == 0).then(value)


def collect(frame: pl.LazyFrame, gpu: bool = False) -> pl.DataFrame:
    """Run ``frame`` on the CPU engine, or on the GPU engine (cudf-polars) when ``gpu``.

    The GPU engine is told to raise instead of quietly running on the CPU, so a query
    it cannot run is declined (and timed as such), never passed off as a GPU run.
    """
    engine = pl.GPUEngine(raise_on_fail=True) if gpu else "cpu"
    try:
        return frame.collect(engine=engine)
    except pl.exceptions.PolarsError as err:
        found = _MARKED.search(str(err))
        if found:
            raise error_for(found.group(1), found.group(2)) from err
        raise NotSupportedError(f"the polars executor failed: {str(err).splitlines()[0]}") from err
