"""Arrow types as the Polars types this compiler computes with.

Decimals become Float64, as they become float64 partitions in the Dask compiler
(``agentlake.executors.dask.partitions``): the Polars GPU engine and DataFusion's
decimal arithmetic rules (result precision and scale of every operator) do not agree
with Polars' decimals, while doubles compare exactly after the final cut to the
planned scale (:func:`truncate`). String views become plain strings.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa


def computed_type(t: pa.DataType) -> pa.DataType:
    if pa.types.is_decimal(t):
        return pa.float64()
    if pa.types.is_string_view(t) or pa.types.is_large_string(t):
        return pa.string()
    if pa.types.is_binary_view(t) or pa.types.is_large_binary(t):
        return pa.binary()
    return t


def polars_type(t: pa.DataType) -> pl.DataType:
    """The Polars type holding values of Arrow type ``t``."""
    return pl.from_arrow(pa.array([], computed_type(t))).dtype


def empty_frame(schema: pa.Schema) -> pl.LazyFrame:
    """No rows, with ``schema``'s names and (computed) types."""
    return pl.LazyFrame(schema={f.name: polars_type(f.type) for f in schema})


def truncate(value: pl.Expr, scale: int) -> pl.Expr:
    """A double cut to ``scale`` decimal digits as DataFusion cuts a decimal (toward zero); the
    Polars form of ``agentlake.executors.dask.partitions.truncate_decimals``, with its nudge
    that keeps exact values such as 0.07 (0.06999...) intact."""
    factor = 10.0**scale
    scaled = value * factor
    nudge = scaled.abs() * 1e-12 + 1e-9
    nudged = scaled + pl.when(scaled >= 0).then(nudge).otherwise(-nudge)
    return pl.when(nudged >= 0).then(nudged.floor()).otherwise(nudged.ceil()) / factor
