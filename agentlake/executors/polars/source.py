"""Tables as lazy Polars scans: a snapshot's Parquet (and small Arrow) files less their deleted rows.

A table is what the Dask compiler reads too: a ``TableSource`` (data files with a
hidden ``_rowid`` column and, per file, the ``_rowid`` values deleted since) or a Dask
DataFrame a Context was given. Files without deletions are scanned together, each
file with deletions on its own, filtered by its deletion set, so Polars (and its GPU
engine) reads the Parquet itself and pushes filters and projections into the scan.
"""

from __future__ import annotations

from typing import Any

import dask.dataframe as dd
import polars as pl
import pyarrow as pa

from catalog.objects import ARROW_SUFFIX

from ..dask.partitions import is_gpu_frame
from ..dask.source import ROWID, TableSource
from .registry import placeholder
from .runtime import declined
from .types import empty_frame

_READABLE = ("s3://", "s3a://", "gs://", "gcs://", "az://", "abfs://", "abfss://", "http://", "https://")


def _path(uri: str) -> str:
    """A path or URI Polars opens itself (object stores it does not know are declined)."""
    if uri.startswith("file://"):
        return uri.removeprefix("file://")
    if "://" in uri and not uri.startswith(_READABLE):
        raise declined(f"reading {uri.split('://')[0]}:// files")
    return uri


def _scan(paths: str | list[str], arrow: bool) -> pl.LazyFrame:
    return pl.scan_ipc(paths) if arrow else pl.scan_parquet(paths)


def _as_computed(frame: pl.LazyFrame, schema: pa.Schema) -> pl.LazyFrame:
    """Decimal columns as Float64 (see ``types``)."""
    decimals = [f.name for f in schema if pa.types.is_decimal(f.type)]
    return frame.with_columns(pl.col(decimals).cast(pl.Float64)) if decimals else frame


def scan_source(source: TableSource, columns: list[str]) -> pl.LazyFrame:
    """The live rows of ``source``'s ``columns``."""
    deleted = {path: rows for path, rows in (source.deleted_rowids or {}).items() if len(rows)}
    parts = []
    for small in (False, True):  # Parquet files, then the Arrow files of statements' few rows
        whole = [_path(f) for f in source.files if f not in deleted and f.endswith(ARROW_SUFFIX) == small]
        if whole:
            parts.append(_scan(whole, small).select(columns))
    for path in (f for f in source.files if f in deleted):
        gone = pl.Series(deleted[path], dtype=pl.Int64)
        scan = _scan(_path(path), path.endswith(ARROW_SUFFIX))
        parts.append(scan.filter(~pl.col(ROWID).is_in(gone.implode())).select(columns))
    schema = pa.schema([source.schema.field(c) for c in columns])
    if not parts:
        return empty_frame(schema)
    return _as_computed(pl.concat(parts, how="vertical_relaxed") if len(parts) > 1 else parts[0], schema)


def read_table(table: Any, columns: list[str]) -> pl.LazyFrame:
    """``columns`` of a registered table: a ``TableSource`` or a Dask DataFrame (computed here).
    No columns (``count(*)``) gives the placeholder column, which keeps the row count."""
    if not columns:
        first = table.schema.names[0] if isinstance(table, TableSource) else str(table.columns[0])
        return placeholder(read_table(table, [first]))
    if isinstance(table, TableSource):
        return scan_source(table, columns)
    if isinstance(table, dd.DataFrame):
        frame = table[columns].compute()
        frame = frame.to_pandas() if is_gpu_frame(frame) else frame
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
        return _as_computed(pl.from_arrow(arrow).lazy(), arrow.schema)
    raise declined(f"a table held as {type(table).__name__}")
