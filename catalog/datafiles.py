"""Reading and writing the data files behind a table.

A statement's few rows are written as an Arrow IPC file (the record batch a journal carries), and
everything bigger, compaction's output included, as Parquet; compaction folds the small files into
Parquet ones. Every file carries the hidden ``_rowid`` column; columns are matched to the table
schema by field id, so renames and added columns never rewrite data.
"""

from __future__ import annotations

import functools
import secrets
import time
from collections import OrderedDict
from threading import Lock

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from .errors import DataCorrupted, NotNullViolation, SchemaMismatch
from .objects import ARROW_SUFFIX, PARQUET_SUFFIX, ROWID, DataFile, Manifest, field_id

ROW_GROUP_ROWS = 128 * 1024
PLAIN_FILE_BYTES = 16 << 10  # Arrow bytes up to which a file is written uncompressed (encode_parquet)
SMALL_WRITE_BYTES = 16 << 10
"""Arrow bytes up to which a statement's rows are written as an Arrow IPC file (``build_data_file``)."""
QUICK_INDEX_ROWS = 1024
"""The most rows a key lookup that must not block indexes from a decoded file (microseconds per row)."""
TABLE_CACHE_BYTES = 256 << 20
_STAT_TYPES = (pa.types.is_integer, pa.types.is_floating, pa.types.is_string, pa.types.is_large_string)


def missing_column(manifest: Manifest, f: pa.Field, rows: int) -> pa.Array:
    """A column the file predates: the value ADD COLUMN ... DEFAULT gave old rows, else NULL."""
    value = manifest.constraints.get("missing", {}).get(str(field_id(f)))
    return pa.nulls(rows, f.type) if value is None else pa.array([value] * rows).cast(f.type)


def _as_type(column: pa.ChunkedArray, dtype: pa.DataType) -> pa.ChunkedArray:
    """A stored column in the table's current type (ALTER COLUMN TYPE leaves old files as written)."""
    return column if column.type == dtype else column.cast(dtype)


def new_file_id() -> str:
    return f"{time.time_ns():016x}{secrets.token_hex(6)}"


def conform(data: pa.Table, manifest: Manifest) -> pa.Table:
    """Cast incoming rows to the table schema; missing columns become NULL."""
    columns, names = [], []
    present = set(data.schema.names)  # Table.column_names builds a new list on every call (~5 us)
    for f in manifest.schema:
        if f.name in present:
            column = data.column(f.name)
            if column.type != f.type:
                try:
                    column = column.cast(f.type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
                    raise SchemaMismatch(f"column {f.name!r} is {f.type}, cannot store {column.type}: {err}") from None
        else:
            column = pa.nulls(data.num_rows, f.type)
        if not f.nullable and column.null_count:
            raise NotNullViolation(f'null value in column "{f.name}" violates not-null constraint')
        columns.append(_null_fields_of_null_structs(column))
        names.append(f.name)
    extra = present - set(names) - {ROWID}
    if extra:
        raise SchemaMismatch(f"columns {sorted(extra)} do not exist in the table")
    if ROWID in present:
        columns.append(_as_type(data.column(ROWID), pa.int64()))
        names.append(ROWID)
    return pa.Table.from_arrays(columns, schema=_file_schema(manifest, ROWID in names))


def _null_fields_of_null_structs(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A struct column (a variable-shape tensor's storage is one) whose NULL rows have NULL fields
    too, as a Parquet round trip leaves them: an Arrow file keeps whatever values the fields held
    under a NULL row, and a function reading a field (a tensor's shape) would see them."""
    storage_type = column.type.storage_type if isinstance(column.type, pa.BaseExtensionType) else column.type
    if not pa.types.is_struct(storage_type) or not column.null_count:
        return column
    chunks = []
    for chunk in column.chunks:
        extension = isinstance(chunk, pa.ExtensionArray)
        storage = chunk.storage if extension else chunk
        if storage.null_count:
            storage = pa.StructArray.from_arrays(storage.flatten(), fields=list(storage_type), mask=storage.is_null())
        chunks.append(pa.ExtensionArray.from_storage(column.type, storage) if extension else storage)
    return pa.chunked_array(chunks, column.type)


def _file_schema(manifest: Manifest, with_rowid: bool = True) -> pa.Schema:
    fields = list(manifest.schema)
    if with_rowid:
        fields.append(pa.field(ROWID, pa.int64(), nullable=False))
    return pa.schema(fields)


def _stats(data: pa.Table, manifest: Manifest) -> dict[int, tuple]:
    out = {}
    for f, fid in manifest.field_ids:
        if any(check(f.type) for check in _STAT_TYPES):
            column = data.column(f.name)
            if column.null_count == len(column):
                continue
            lo, hi = _min_max(column)
            if isinstance(lo, float) and (np.isnan(lo) or np.isnan(hi)):
                continue
            out[fid] = (lo, hi)
    return out


def _min_max(column: pa.ChunkedArray) -> tuple:
    """A column's smallest and largest value (NULLs aside); a single row is its own, without a
    compute kernel's dispatch (~7 us, four times for every one-row statement's file)."""
    if len(column) == 1:
        value = column[0].as_py()
        return value, value
    mm = pc.min_max(column)
    return mm["min"].as_py(), mm["max"].as_py()


def _at_most_bytes(data: pa.Table, limit: int) -> bool:
    """Whether the rows ``data`` refers to take at most ``limit`` bytes. The buffers' total size is
    an upper bound read in well under a microsecond; ``Table.nbytes``, which measures only the
    slices referred to, takes ~15 us and is needed only when the bound is over."""
    return data.get_total_buffer_size() <= limit or data.nbytes <= limit


def encode_parquet(data: pa.Table) -> bytes:
    """Columns are compressed with LZ4_RAW: scans decompress every page they read, and LZ4
    decompresses several times faster than zstd. TPC-H SF1 on this 2-core machine ran 11%
    faster over LZ4_RAW files than over zstd ones (geometric mean of the 22 queries, same process,
    interleaved) for a third more bytes on disk. Every current Parquet reader takes LZ4_RAW
    (Arrow, DuckDB, DataFusion, polars, cuDF from 24.04, Spark from 3.4).

    Vector columns are stored plain: embeddings are high-entropy floats that no codec shrinks by
    more than a tenth (and a dictionary not at all), while decoding them is what every index build
    and every search of a file not yet in memory pays.

    A small file (a few rows from one statement) is stored plain too: setting up a codec and a
    dictionary per column is half the cost of writing it (a one-row file: ~0.24 ms with them,
    ~0.12 ms without), saves at most a few KiB, and such files are compaction's to fold into large
    compressed ones. Statistics and the page index are written either way (readers prune on them).

    Decimals of up to 18 digits are stored as the integers they are (INT32/INT64, as the Parquet
    format allows and the Rust writers do), not as fixed-length byte strings: they read back as the
    same Arrow decimals, and decoding them costs a fraction (TPC-H SF1 Q6, which sums and filters
    decimals over lineitem, ran in 99 ms instead of 183 on DataFusion)."""
    if _at_most_bytes(data, PLAIN_FILE_BYTES):
        compression, dictionary = "none", False
    else:
        vectors = {f.name for f in data.schema if pa.types.is_fixed_size_list(f.type)}
        compression = {name: "none" if name in vectors else "lz4_raw" for name in data.column_names}
        dictionary = [name for name in data.column_names if name not in vectors]
    sink = pa.BufferOutputStream()  # Arrow's own stream: a Python file object costs ~10 us more per file
    pq.write_table(
        data,
        sink,
        row_group_size=ROW_GROUP_ROWS,
        write_page_index=True,
        compression=compression,
        use_dictionary=dictionary,
        store_decimal_as_integer=True,
    )
    return sink.getvalue().to_pybytes()


def encode_arrow(data: pa.Table) -> bytes:
    """A statement's few rows as an Arrow IPC file: the batch itself, written in ~10 us and read
    back without decoding, where a Parquet file of one row costs ~0.11 ms to write and as much to
    read. Compaction folds such files into Parquet ones (the rows a commit adds are what an agent
    writes, one statement at a time; the format is for the many rows that a table accumulates)."""
    sink = pa.BufferOutputStream()
    with ipc.new_file(sink, data.schema) as writer:
        writer.write_table(data)
    return sink.getvalue().to_pybytes()


def build_data_file(
    table_id: str, data: pa.Table, manifest: Manifest, origin: str = "write", small_as_arrow: bool = False
) -> tuple[DataFile, bytes]:
    """Serialize conformed rows (with ``_rowid``) into a data file and its entry: Parquet, or with
    ``small_as_arrow`` (a statement's rows) an Arrow IPC file for up to ``SMALL_WRITE_BYTES``."""
    file_id = new_file_id()
    small = small_as_arrow and _at_most_bytes(data, SMALL_WRITE_BYTES)
    payload = encode_arrow(data) if small else encode_parquet(data)
    rowid_min, rowid_max = _min_max(data.column(ROWID))
    entry = DataFile(
        id=file_id,
        path=f"data/{table_id}/{file_id}{ARROW_SUFFIX if small else PARQUET_SUFFIX}",
        rows=data.num_rows,
        size=len(payload),
        rowid_min=rowid_min,
        rowid_max=rowid_max,
        columns={fid: f.name for f, fid in manifest.field_ids},
        stats=_stats(data, manifest),
        origin=origin,
    )
    return entry, payload


THREADED_READ_BYTES = 64 << 10  # a held file bigger than this is decoded column by column in threads


class FileReader:
    """Reads data files of one repository, caching immutable per-file facts."""

    def __init__(self, storage) -> None:
        self.storage = storage
        self._cache: OrderedDict[tuple, object] = OrderedDict()
        self._tables: OrderedDict[tuple, pa.Table] = OrderedDict()
        self._table_bytes = 0
        self._lock = Lock()

    def _cached(self, key: tuple, build, cached_only: bool = False):
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        if cached_only:
            return None
        value = build()
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > 4096:
                self._cache.popitem(last=False)
        return value

    @functools.cached_property
    def _object_store(self):
        """(fsspec filesystem, root) for object stores; None for local folders, which pyarrow reads
        natively (faster, and fsspec's import is a tenth of a server's cold start)."""
        return None if self.storage.url.startswith("file://") else self.storage.filesystem()

    def _local(self, entry: DataFile, decode):
        """Decode a local data file from the bytes memory or a pack holds, else from its file. pyarrow
        names held bytes "<Buffer>"; their damage is reported under the file's name (XX001)."""
        held = self.storage.held(entry.path)
        if held is None:
            return decode(self.storage.uri(entry.path))
        try:
            return decode(pa.BufferReader(held))
        except (pa.ArrowInvalid, OSError) as err:
            location = f"{self.storage.url.removeprefix('file://')}/{entry.path}"
            what = str(err).removeprefix("Could not open Parquet input source '<Buffer>': ")
            raise DataCorrupted.unreadable(location, ValueError(what)) from None

    def _parquet(self, entry: DataFile) -> pq.ParquetFile:
        if self._object_store is None:
            return self._local(entry, pq.ParquetFile)
        fs, root = self._object_store
        return pq.ParquetFile(f"{root}/{entry.path}", filesystem=fs)

    def read_raw(self, entry: DataFile, file_columns: list[str] | None = None) -> pa.Table:
        if self._object_store is None:
            return self._local(entry, lambda source: _read_table(source, file_columns, entry.is_arrow))
        fs, root = self._object_store
        if entry.is_arrow:
            return _read_table(pa.BufferReader(fs.cat_file(f"{root}/{entry.path}")), file_columns, arrow=True)
        return pq.read_table(f"{root}/{entry.path}", columns=file_columns, filesystem=fs)

    def row_groups(self, entry: DataFile) -> int:
        """How many Parquet row groups a file has (its footer, cached: files never change); an Arrow
        file is read whole, as one."""
        if entry.is_arrow:
            return 1
        return self._cached(("row_groups", entry.id), lambda: self._parquet(entry).metadata.num_row_groups)

    def read(
        self,
        entry: DataFile,
        manifest: Manifest,
        columns: list[str] | None = None,
        with_rowid: bool = True,
        apply_deletes: bool = True,
        positions: np.ndarray | None = None,
    ) -> pa.Table:
        """Rows of one file in the table's current schema, deleted rows removed; ``positions``
        picks rows by place in the file (before anything is converted)."""
        wanted = _wanted(entry, manifest, columns)
        raw = self.columns(entry, _stored_names(entry, wanted, with_rowid, apply_deletes))
        if positions is not None:
            raw = raw.take(pa.array(positions, pa.int64()))
        return _in_table_schema(raw, entry, manifest, wanted, with_rowid, apply_deletes)

    def read_row_group(
        self, entry: DataFile, manifest: Manifest, index: int, columns: list[str] | None = None
    ) -> pa.Table:
        """The live rows of one row group of a file, in the table's current schema: a reader that
        must stay within memory takes a file a row group at a time (nothing is cached here)."""
        wanted = _wanted(entry, manifest, columns)
        names = _stored_names(entry, wanted, False, True)
        raw = (
            self.read_raw(entry, names) if entry.is_arrow else self._parquet(entry).read_row_group(index, columns=names)
        )
        return _in_table_schema(raw, entry, manifest, wanted, False, True)

    def table(self, entry: DataFile, cached_only: bool = False) -> pa.Table | None:
        """The whole decoded file, cached within a memory budget (point lookups read single rows).

        ``cached_only`` answers None rather than reading the file."""
        key = ("table", entry.id)
        with self._lock:
            if key in self._tables:
                self._tables.move_to_end(key)
                return self._tables[key]
        if cached_only:
            return None
        table = self.read_raw(entry).combine_chunks()  # one chunk per column: rows are taken by position
        with self._lock:
            self._tables[key] = table
            self._table_bytes += table.nbytes
            while self._table_bytes > TABLE_CACHE_BYTES and len(self._tables) > 1:
                _, evicted = self._tables.popitem(last=False)
                self._table_bytes -= evicted.nbytes
        return table

    def remember(self, entry: DataFile, table: pa.Table) -> None:
        """Seed the caches with a file this process just wrote, so it is never read back."""
        if table.nbytes <= TABLE_CACHE_BYTES // 64:
            with self._lock:
                self._tables[("table", entry.id)] = table
                self._table_bytes += table.nbytes

    def columns(self, entry: DataFile, names: list[str]) -> pa.Table:
        """Stored columns of a file by their file names: from the decoded file when it is cached
        (no copy), else read from storage."""
        with self._lock:
            cached = self._tables.get(("table", entry.id))
        return cached.select(names) if cached is not None else self.read_raw(entry, names)

    def rowids(self, entry: DataFile) -> np.ndarray:
        """All rowids stored in a file (deleted or not), cached: files never change."""
        return self._cached(("rowids", entry.id), lambda: self.columns(entry, [ROWID]).column(ROWID).to_numpy())

    def positions(self, entry: DataFile, rowids: np.ndarray) -> np.ndarray:
        """Where stored rowids sit in their file (-1 where absent), by binary search: a scan would
        cost milliseconds per lookup on big files."""
        ordered, order = self._cached(("rowid_order", entry.id), lambda: _sorted_with_order(self.rowids(entry)))
        rowids = np.asarray(rowids, dtype=np.int64)
        if order is None and len(ordered) and ordered[-1] - ordered[0] == len(ordered) - 1:
            at = rowids - ordered[0]  # one unbroken run of rowids (a bulk load): where is arithmetic
            return np.where((at >= 0) & (at < len(ordered)), at, -1)
        at = np.minimum(np.searchsorted(ordered, rowids), max(len(ordered) - 1, 0))
        hit = (ordered[at] == rowids) if len(ordered) else np.zeros(len(rowids), dtype=bool)
        return np.where(hit, at if order is None else order[at], -1)

    def key_index(self, entry: DataFile, manifest: Manifest, cached_only: bool = False) -> dict | None:
        """Primary key -> rowid for every row stored in a file, cached per file.

        ``cached_only`` answers None rather than reading the file; a small file whose rows are held
        decoded (one this process just wrote) is indexed from them, so the lookup after a write
        stays on a server's event loop."""
        names = [entry.columns.get(field_id(manifest.schema.field(k))) for k in manifest.primary_key]
        if None in names:
            return {}

        def build() -> dict:
            raw = self.columns(entry, names + [ROWID])
            keys = key_tuples(raw, names)
            return dict(zip(keys, raw.column(ROWID).to_pylist()))

        key = ("keys", entry.id, tuple(names))
        if cached_only and entry.rows <= QUICK_INDEX_ROWS and self.table(entry, cached_only=True) is not None:
            cached_only = False  # built from memory, no read
        return self._cached(key, build, cached_only)


def _read_table(source: pa.BufferReader | str, columns: list[str] | None, arrow: bool) -> pa.Table:
    """A whole local file. Bytes held in memory or a pack (up to 1 MiB) are read as one Parquet file:
    pq.read_table plans a dataset scan, some 0.4 ms of the 0.55 ms a one-row file takes that way
    (0.11 ms read directly), and threads only pay past tens of KiB. An Arrow file's batches are
    taken as they are, once checked: IPC carries no checksums, and offsets damaged in place would
    otherwise reach compute kernels (Parquet's decoder checks what it decodes)."""
    if arrow:
        with ipc.open_file(pa.OSFile(source) if isinstance(source, str) else source) as reader:
            table = reader.read_all()
        table.validate(full=True)
        return table if columns is None else table.select(columns)
    if isinstance(source, pa.BufferReader):
        threads = source.size() > THREADED_READ_BYTES
        return pq.ParquetFile(source, pre_buffer=False).read(columns=columns, use_threads=threads)
    return pq.read_table(source, columns=columns)


def _wanted(entry: DataFile, manifest: Manifest, columns: list[str] | None) -> list[tuple[pa.Field, str | None]]:
    """The table's fields asked for, each with its column name in this file (None: the file predates it)."""
    return [(f, entry.columns.get(fid)) for f, fid in manifest.field_ids if columns is None or f.name in columns]


def _stored_names(entry: DataFile, wanted: list, with_rowid: bool, apply_deletes: bool) -> list[str]:
    names = [name for _, name in wanted if name is not None]
    uses_rowid = _uses_rowid(entry, with_rowid, apply_deletes)
    return names + [ROWID] if uses_rowid or not names else names  # no names: it counts rows


def _uses_rowid(entry: DataFile, with_rowid: bool, apply_deletes: bool) -> bool:
    return bool(with_rowid or (apply_deletes and len(entry.deleted)))


def _in_table_schema(
    raw: pa.Table, entry: DataFile, manifest: Manifest, wanted: list, with_rowid: bool, apply_deletes: bool
) -> pa.Table:
    """Stored columns as the table's current schema, deleted rows removed."""
    fields = [f for f, _ in wanted]
    arrays = [
        missing_column(manifest, f, raw.num_rows) if name is None else _as_type(raw.column(name), f.type)
        for f, name in wanted
    ]
    if _uses_rowid(entry, with_rowid, apply_deletes):
        arrays.append(raw.column(ROWID))
        fields.append(pa.field(ROWID, pa.int64(), nullable=False))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    if apply_deletes and len(entry.deleted):
        mask = pc.invert(pc.is_in(table.column(ROWID), value_set=pa.array(entry.deleted)))
        table = table.filter(mask)
    if not with_rowid and ROWID in table.schema.names:
        table = table.drop_columns([ROWID])
    return table


def _sorted_with_order(values: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Values ascending, and the permutation that sorts them (None when they already are, the usual case)."""
    if len(values) < 2 or bool(np.all(values[1:] > values[:-1])):
        return values, None
    order = np.argsort(values, kind="stable")
    return values[order], order


def key_tuples(table: pa.Table, columns: list[str]) -> list:
    """Hashable primary-key values: scalars for one column, tuples for several."""
    if len(columns) == 1:
        return table.column(columns[0]).to_pylist()
    return list(zip(*(table.column(c).to_pylist() for c in columns)))


def key_has_null(key) -> bool:
    """Whether a key of ``key_tuples`` holds a NULL (such a key conflicts with and references nothing)."""
    return key is None or (isinstance(key, tuple) and None in key)
