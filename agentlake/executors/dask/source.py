"""Tables the compiler reads: Parquet files (optionally with deletion vectors) or Dask frames.

A :class:`TableSource` is what a catalog snapshot hands over: data files that each
carry a hidden ``_rowid`` column plus, per file, the ``_rowid`` values deleted since.
Files are split into partitions by row groups, so one large file still gives many
tasks, and row groups whose statistics rule out the pushed filters are never read.
A statement's few rows, which the catalog writes as an Arrow IPC file, are one piece.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dask.dataframe as dd
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from catalog.objects import ARROW_SUFFIX

from .partitions import from_arrow

ROWID = "_rowid"


@dataclass
class TableSource:
    """Parquet data files of one table version, with optional per-file deletion sets."""

    files: list[str]
    schema: pa.Schema
    deleted_rowids: dict[str, np.ndarray] | None = None

    @property
    def visible_schema(self) -> pa.Schema:
        """The schema users see: everything but the hidden ``_rowid``."""
        return pa.schema([f for f in self.schema if f.name != ROWID])

    @classmethod
    def from_parquet(cls, paths: str | list[str]) -> "TableSource":
        """Files from a path, a glob or a list; the schema is the first file's."""
        files = expand_paths(paths)
        filesystem, local = resolve(files[0])
        return cls(files=files, schema=pq.read_schema(local, filesystem=filesystem))


def expand_paths(paths: str | list[str]) -> list[str]:
    import glob
    import os

    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    files: list[str] = []
    for item in map(str, items):
        if os.path.isdir(item):
            files += sorted(glob.glob(os.path.join(item, "**", "*.parquet"), recursive=True))
        elif glob.has_magic(item):
            files += sorted(glob.glob(item, recursive=True))
        else:
            files.append(item)
    if not files:
        raise FileNotFoundError(f"no Parquet files match {paths!r}")
    return files


def resolve(path: str) -> tuple[pafs.FileSystem, str]:
    """The Arrow filesystem and in-filesystem path of a local path or URI (file://, s3://, gs://, ...)."""
    if "://" in path:
        return pafs.FileSystem.from_uri(path)
    return pafs.LocalFileSystem(), path


@dataclass(frozen=True)
class Piece:
    """One partition's worth of a file: a run of row groups."""

    path: str
    row_groups: tuple[int, ...]


def plan_pieces(files: list[str], prune: pc.Expression | None, partition_rows: int) -> list[Piece]:
    """Row groups that may hold matching rows, packed into pieces of about ``partition_rows`` rows."""
    pieces: list[Piece] = []
    fmt = ds.ParquetFileFormat()
    for path in files:
        if path.endswith(ARROW_SUFFIX):  # a statement's few rows: one piece, read whole
            pieces.append(Piece(path, ()))
            continue
        filesystem, local = resolve(path)
        fragment = fmt.make_fragment(local, filesystem=filesystem)
        groups = fragment.split_by_row_group(filter=prune) if prune is not None else fragment.split_by_row_group()
        run: list[int] = []
        rows = 0
        for group in groups:
            info = group.row_groups[0]
            run.append(info.id)
            rows += info.num_rows
            if rows >= partition_rows:
                pieces.append(Piece(path, tuple(run)))
                run, rows = [], 0
        if run:
            pieces.append(Piece(path, tuple(run)))
    return pieces


@dataclass
class ReadPiece:
    """Reads one piece: projected columns, pushed filter, deletion set, partition types."""

    columns: list[str]
    row_filter: pc.Expression | None
    deleted: dict[str, np.ndarray] = field(default_factory=dict)
    has_rowid: bool = False
    gpu: bool = False

    def __call__(self, piece: Piece):
        deleted = self.deleted.get(piece.path)
        read_cols = list(self.columns)
        if self.has_rowid and deleted is not None and len(deleted):
            read_cols.append(ROWID)
        filesystem, local = resolve(piece.path)
        with filesystem.open_input_file(local) as handle:
            if piece.path.endswith(ARROW_SUFFIX):
                table = pa.ipc.open_file(handle).read_all().select(read_cols)
            else:
                table = pq.ParquetFile(handle).read_row_groups(list(piece.row_groups), columns=read_cols)
        if any(pa.types.is_string_view(f.type) for f in table.schema):  # (a cast of no columns drops every row)
            table = table.cast(
                pa.schema(
                    [pa.field(f.name, pa.string()) if pa.types.is_string_view(f.type) else f for f in table.schema]
                )
            )
        if ROWID in read_cols:
            table = table.filter(pc.invert(pc.is_in(table[ROWID], value_set=pa.array(deleted, pa.int64()))))
        if self.row_filter is not None:
            table = table.filter(self.row_filter)
        return from_arrow(table.select(self.columns), gpu=self.gpu)


def read_source(
    source: TableSource,
    columns: list[str],
    prune: pc.Expression | None,
    row_filter: pc.Expression | None,
    partition_rows: int,
    gpu: bool,
) -> dd.DataFrame:
    """A lazy Dask frame over the pieces of ``source`` whose statistics may match ``prune``,
    keeping the rows that match ``row_filter``."""
    reader = ReadPiece(
        columns=columns,
        row_filter=row_filter,
        deleted=dict(source.deleted_rowids or {}),
        has_rowid=ROWID in source.schema.names,
        gpu=gpu,
    )
    pieces = plan_pieces(source.files, prune, partition_rows)
    empty = pa.schema([source.schema.field(c) for c in columns]).empty_table()
    meta = from_arrow(empty, gpu=gpu)
    if not pieces:
        return dd.from_pandas(meta, npartitions=1) if not gpu else _from_cudf(meta)
    return dd.from_map(reader, pieces, meta=meta, enforce_metadata=False, label="read-parquet")


def _from_cudf(frame):
    import dask_cudf

    return dask_cudf.from_cudf(frame, npartitions=1)
