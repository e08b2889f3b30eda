"""Keeps a DataFusion session in step with a catalog snapshot.

Each table becomes a view over one Parquet scan per data file (DataFusion 55's
``register_parquet`` takes a path, not a file list, and a pyarrow dataset is slower and
breaks on ``string_view``): columns are matched by field id, deletion vectors
become filters, and DataFusion pushes projections and predicates into every
scan. Registration is cached per manifest, so repeated queries on an unchanged
snapshot cost nothing here; and each file's scan is kept per (file, deletion vector), so a
commit that adds one file or deletes from one re-plans that file's scan only. A small table of
plain types is instead one in-memory scan of its decoded files (``SMALL_TABLE_ROWS``), each file's
rows kept the same way.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from datafusion import DataFrame, SessionConfig, SessionContext, col, lit
from datafusion import functions as F

from catalog import Manifest, Snapshot
from catalog.objects import ROWID, DataFile, field_id

from .unreadable_tables import failing_frame, read_parquet

ROWS_PREFIX = "_rows_"
MAX_INLINE_DELETES = 4096
SMALL_TABLE_ROWS = 65_536
"""Tables of up to this many stored rows, all of plain types, are registered as one in-memory
scan of their decoded files instead of a union of Parquet scans: agents' tables are small and
written one row at a time, and a query over a union of hundreds of one-row files spent more time
opening them than counting."""
SMALL_TABLE_BYTES = 64 << 20
"""And whose files hold at most this many bytes: 65,536 embeddings of 1,536 floats are 400 MB,
which a Parquet scan streams and an in-memory scan would hold decoded."""


def new_session(target_partitions: int | None = None) -> SessionContext:
    """A DataFusion session configured for agentlake: PostgreSQL-like identifiers, classic string types.

    Filters are not pushed into the Parquet decoder (DataFusion's default): decoding the filter
    columns first and the rest only for passing rows lost more than it saved on TPC-H SF1 here
    (the 22 queries' geometric mean 9% slower with it); row groups and pages are still skipped by
    their statistics and the page index."""
    config = (
        SessionConfig()
        .with_information_schema(False)
        .set("datafusion.execution.parquet.schema_force_view_types", "false")
        .set("datafusion.sql_parser.map_string_types_to_utf8view", "false")
        .set("datafusion.sql_parser.parse_float_as_decimal", "true")  # 0.1 + 0.2 = 0.3, as in PostgreSQL
        # now() is timestamptz, as in PostgreSQL (DataFusion 55 makes it a plain timestamp when the
        # session names no zone); the session's zone is UTC, as agentlake's TimeZone setting says
        .set("datafusion.execution.time_zone", "+00:00")
        # DataFusion's parser stops at 50 levels, about 25 nested subqueries; 256 (about 125) still
        # plans within a 8 MiB native stack, where a few hundred levels overflow it (sql/stack_depth.py)
        .set("datafusion.sql_parser.recursion_limit", "256")
        # DataFusion 55's leaf-projection pushdown fails on a struct field read (get_field) over the
        # snapshot views ('ambiguous field "?table?".a'); tensor columns are read that way
        .set("datafusion.optimizer.enable_leaf_expression_pushdown", "false")
    )
    if target_partitions:
        config = config.with_target_partitions(target_partitions)
    return SessionContext(config)


class SnapshotRegistry:
    """Registers the tables and views of whichever snapshot a session reads."""

    def __init__(self, context: Callable[[], SessionContext]) -> None:
        self._context = context
        """The session's DataFusion context, asked for only when something is registered with it:
        :meth:`memory_rows` plans nothing and needs none."""
        self._tables: dict[str, str] = {}
        self._views: dict[str, str] = {}
        self._file_frames: dict[str, dict[tuple, DataFrame | pa.Table]] = {}
        """Per table, each live file's scan (or, for a small table, its decoded rows) as last
        registered, by :func:`_file_key`."""
        self._memory_rows: dict[str, pa.Table] = {}
        """Per small table registered in memory, its live rows in one table (made when asked)."""
        self._unregistered: dict[str, tuple[str, StoredRows]] = {}
        """Per small table read by :meth:`memory_rows` since its registration: (manifest id, rows)."""

    @property
    def ctx(self) -> SessionContext:
        return self._context()

    def sync(self, snapshot: Snapshot) -> None:
        changed = False
        for name in list(self._tables):
            if name not in snapshot.tables:
                self._drop(name)
                changed = True
        for name, manifest in snapshot.tables.items():
            key = manifest.encoded[0]
            if self._tables.get(name) != key:
                try:
                    self._register(snapshot, name, manifest)
                    self._tables[name] = key
                except Exception as err:  # noqa: BLE001 - raised by the statements that read the table
                    self._register_unreadable(name, manifest, err)
                changed = True
        self._sync_views(snapshot.views, rebuild=changed)

    def _drop(self, name: str) -> None:
        for table in (name, ROWS_PREFIX + name):
            if self.ctx.table_exist(table):
                self.ctx.deregister_table(table)
        self._tables.pop(name, None)
        self._file_frames.pop(name, None)
        self._memory_rows.pop(name, None)
        self._unregistered.pop(name, None)

    def _registered_rows(self, name: str) -> pa.Table | None:
        """The live rows of table ``name`` (with their rowids) when it is registered as an
        in-memory scan, as of the last :meth:`sync`; None for a table read from its files."""
        rows = self._memory_rows.get(name)
        if rows is None:
            parts = self._file_frames.get(name)
            if not parts or not all(isinstance(part, pa.Table) for part in parts.values()):
                return None
            rows = self._memory_rows[name] = pa.concat_tables(parts.values())
        return rows

    def memory_rows(self, snapshot: Snapshot, name: str) -> StoredRows | None:
        """The rows of table ``name`` as of ``snapshot`` when it is small, read without registering
        anything with DataFusion: a count after each write reads the rows and plans nothing (None
        where the table is not small, or its files cannot be read: the planned path reports that)."""
        manifest = snapshot.tables.get(name)
        if manifest is None or name in snapshot.views:
            return None
        key = manifest.encoded[0]
        if self._tables.get(name) == key:
            rows = self._registered_rows(name)
            return StoredRows(rows, None) if rows is not None else None
        held = self._unregistered.get(name)
        if held is not None and held[0] == key:
            return held[1]
        try:
            found = _stored_rows(snapshot, manifest)
        except Exception:  # noqa: BLE001 - the planned path raises it, as the statement's error
            return None
        if found is not None:
            self._unregistered[name] = (key, found)
        return found

    def _register(self, snapshot: Snapshot, name: str, manifest: Manifest) -> None:
        previous = self._file_frames.get(name, {})
        layout = _layout_key(manifest)
        current = self._memory_parts(snapshot, manifest, previous, layout)
        if current is not None:
            frame = self._memory_frame(manifest, current)
        else:
            current = {}
            for entry in manifest.files:
                if entry.live_rows:
                    key = _file_key(entry, layout)
                    cached = previous.get(key)
                    current[key] = (
                        cached if isinstance(cached, DataFrame) else self._file_frame(snapshot, manifest, entry)
                    )
            frames = list(current.values())
            if frames:
                frame = frames[0]
                for other in frames[1:]:
                    frame = frame.union(other)
            else:
                empty = pa.schema(list(manifest.schema) + [pa.field(ROWID, pa.int64())]).empty_table()
                frame = self.ctx.from_arrow(empty)
        self._drop(name)
        self._file_frames[name] = current
        self.ctx.register_view(ROWS_PREFIX + name, frame)
        self.ctx.register_view(name, frame.select(*[col(_quote(f.name)) for f in manifest.schema]))

    def _register_unreadable(self, name: str, manifest: Manifest, err: Exception) -> None:
        """A table whose files cannot be read fails the statements that read it (and is tried again
        by the next sync), not every statement (``unreadable_tables``)."""
        frame = failing_frame(self.ctx, pa.schema(list(manifest.schema) + [pa.field(ROWID, pa.int64())]), err)
        self._drop(name)
        self.ctx.register_view(ROWS_PREFIX + name, frame)
        self.ctx.register_view(name, frame.select(*[col(_quote(f.name)) for f in manifest.schema]))

    def _memory_parts(
        self, snapshot: Snapshot, manifest: Manifest, previous: dict, layout: tuple
    ) -> dict[tuple, pa.Table] | None:
        """Each live file's rows, decoded, by its key; None for a big table, a type outside the
        plain ones, or a file whose stored columns are not exactly the table's (those tables keep
        their Parquet scans)."""
        live = _small_table_files(manifest)
        if live is None:
            return None
        schema = _memory_schema(manifest)
        parts = {}
        for entry in live:
            key = _file_key(entry, layout)
            part = previous.get(key)
            if not isinstance(part, pa.Table) or part.schema != schema:  # NOT NULL may have changed
                part = _shared_rows(snapshot, manifest, entry, schema, key, live_only=True)
                if part is None:
                    return None
            parts[key] = part
        return parts

    def _memory_frame(self, manifest: Manifest, parts: dict[tuple, pa.Table]) -> DataFrame:
        """One in-memory scan over the parts (registered under a throwaway name: the frame keeps
        the data)."""
        schema = _memory_schema(manifest)
        batches = pa.concat_tables(parts.values()).to_batches() if parts else []
        temporary = f"_memory_{uuid.uuid4().hex}"
        self.ctx.register_record_batches(temporary, [batches or [pa.RecordBatch.from_pylist([], schema)]])
        try:
            return self.ctx.table(temporary)
        finally:
            self.ctx.deregister_table(temporary)

    def _file_frame(self, snapshot: Snapshot, manifest: Manifest, entry: DataFile) -> DataFrame:
        frame = self._scan(snapshot, entry)
        if len(entry.deleted):
            if len(entry.deleted) <= MAX_INLINE_DELETES:
                # pyarrow scalars: lit() of a Python int probes for optional Arrow libraries each call
                deleted = pa.array(entry.deleted, pa.int64())
                frame = frame.filter(~F.in_list(col(ROWID), [lit(rowid) for rowid in deleted]))
            else:
                dead = self.ctx.from_arrow(pa.table({"_dead": pa.array(entry.deleted, pa.int64())}))
                frame = frame.join(dead, left_on=ROWID, right_on="_dead", how="anti")
        exprs = []
        missing = manifest.constraints.get("missing", {})
        for f in manifest.schema:
            stored = entry.columns.get(field_id(f))
            if stored is not None:
                exprs.append(col(_quote(stored)).alias(f.name))
            else:
                exprs.append(lit(missing.get(str(field_id(f)))).cast(f.type).alias(f.name))
        exprs.append(col(ROWID))
        return frame.select(*exprs)

    def _scan(self, snapshot: Snapshot, entry: DataFile) -> DataFrame:
        """A data file as DataFusion reads it: a Parquet scan on local disk (a small file a journal
        holds is written out for it); a statement's Arrow file, or any file on an object store (S3,
        memory://, anything fsspec reaches), as the catalog's reader decodes it, since DataFusion's
        own object stores know neither fsspec's URLs nor its credentials."""
        if not entry.is_arrow:
            location = snapshot.repo.storage.uri(entry.path)
            if "://" not in location:
                return read_parquet(self.ctx, location)
        return self.ctx.from_arrow(_as_parquet_scans_it(snapshot.repo.files.table(entry)))

    def _sync_views(self, views: dict[str, str], rebuild: bool) -> None:
        """Views are plans over tables, so they are rebuilt whenever a table changed."""
        for name in list(self._views):
            if rebuild or views.get(name) != self._views[name]:
                if self.ctx.table_exist(name):
                    self.ctx.deregister_table(name)
                del self._views[name]
        for name, sql in views.items():
            if self._views.get(name) != sql:
                self.ctx.register_view(name, self.ctx.sql(sql))
                self._views[name] = sql


def _as_parquet_scans_it(table: pa.Table) -> pa.Table:
    """A decoded file as DataFusion's Parquet scan gives it, which skips the Arrow schema a file
    carries: no field metadata (a jsonb column's marker would type expressions over it as jsonb)
    and extension columns as their storage. A table then reads the same whichever format or
    store holds each of its files."""
    columns = [
        pa.chunked_array([chunk.storage for chunk in column.chunks], column.type.storage_type)
        if isinstance(column.type, pa.BaseExtensionType)
        else column
        for column in table.columns
    ]
    fields = [pa.field(f.name, c.type, f.nullable) for f, c in zip(table.schema, columns)]
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


class StoredRows(NamedTuple):
    """A small table's rows as :meth:`SnapshotRegistry.memory_rows` reads them: every stored row
    of its live files, and which of them are live (None: all of them)."""

    rows: pa.Table
    live: pa.Array | None


def _small_table_files(manifest: Manifest) -> list[DataFile] | None:
    """The live files of a table held decoded in memory; None for a big table or a type outside
    the plain ones."""
    live = [entry for entry in manifest.files if entry.live_rows]
    if sum(entry.rows for entry in live) > SMALL_TABLE_ROWS or sum(entry.size for entry in live) > SMALL_TABLE_BYTES:
        return None
    return live if all(_plain(f.type) for f in manifest.schema) else None


def _stored_rows(snapshot: Snapshot, manifest: Manifest) -> StoredRows | None:
    """A small table's rows with its deleted ones masked rather than removed: after an UPDATE
    the big file it deleted from is not copied without that row (the copy cost a count after each
    write ~0.2 ms for 10,000 rows); its decoded rows stay shared and only the mask is new."""
    live = _small_table_files(manifest)
    if not live:
        return None
    schema, layout = _memory_schema(manifest), _layout_key(manifest)
    parts, masks = [], []  # per file, its live rows' mask (None: no deletions)
    for entry in live:
        part = _shared_rows(
            snapshot, manifest, entry, schema, _file_key(entry, layout, live_only=False), live_only=False
        )
        if part is None:
            return None
        parts.append(part)
        deleted = (
            pc.is_in(part.column(ROWID), value_set=pa.array(entry.deleted, pa.int64())) if len(entry.deleted) else None
        )
        masks.append(None if deleted is None else ~deleted.to_numpy(zero_copy_only=False))
    rows = pa.concat_tables(parts)
    if all(mask is None for mask in masks):
        return StoredRows(rows, None)
    mask = np.concatenate([np.ones(p.num_rows, bool) if m is None else m for p, m in zip(parts, masks)])
    return StoredRows(rows, pa.array(mask))


def _plain(kind: pa.DataType) -> bool:
    """Types that read back from Parquet into DataFusion exactly as pyarrow decodes them."""
    return (
        pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_string(kind)
        or pa.types.is_binary(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_date(kind)
        or pa.types.is_timestamp(kind)
        or (pa.types.is_fixed_size_list(kind) and pa.types.is_floating(kind.value_type))  # vectors
    )


_SHARED_BYTES = 64 << 20
_shared: OrderedDict[tuple, pa.Table] = OrderedDict()
_shared_size = 0
_shared_lock = threading.Lock()


def _shared_rows(
    snapshot: Snapshot, manifest: Manifest, entry: DataFile, schema: pa.Schema, key: tuple, *, live_only: bool
):
    """:func:`_file_rows`, made once per (file, deletion vector, layout, schema) for every session
    of the process (a server's sessions would each hold their own copy of the same rows), kept
    while they fit in ``_SHARED_BYTES``."""
    global _shared_size
    shared_key = (snapshot.repo.storage.url, key, schema)  # the key names the file (and no file is written)
    with _shared_lock:
        rows = _shared.get(shared_key)
        if rows is not None:
            _shared.move_to_end(shared_key)
            return rows
    rows = _file_rows(snapshot.repo.files.table(entry), entry, manifest, schema, live_only)
    if rows is not None:
        with _shared_lock:
            if shared_key not in _shared:
                _shared[shared_key] = rows
                _shared_size += rows.nbytes
            while _shared_size > _SHARED_BYTES and len(_shared) > 1:
                _, evicted = _shared.popitem(last=False)
                _shared_size -= evicted.nbytes
    return rows


def _memory_schema(manifest: Manifest) -> pa.Schema:
    return pa.schema([f.remove_metadata() for f in manifest.schema] + [pa.field(ROWID, pa.int64(), False)])


def _file_rows(
    raw: pa.Table, entry: DataFile, manifest: Manifest, schema: pa.Schema, live_only: bool
) -> pa.Table | None:
    """A decoded file's rows (only its live ones with ``live_only``) under the table's column
    names, or None when a column is missing from the file or stored in another type (the Parquet
    scan handles those)."""
    arrays = []
    for f in manifest.schema:
        stored = entry.columns.get(field_id(f))
        if stored is None or raw.schema.field(stored).type != f.type:
            return None
        arrays.append(raw.column(stored))
    arrays.append(raw.column(ROWID))
    rows = pa.Table.from_arrays(arrays, schema=schema)
    if live_only and len(entry.deleted):
        rows = rows.filter(pc.invert(pc.is_in(rows.column(ROWID), value_set=pa.array(entry.deleted, pa.int64()))))
    return rows


def _layout_key(manifest: Manifest) -> tuple:
    """What a file's scan depends on besides the file: the table's columns and their defaults."""
    return tuple((field_id(f), f.name, str(f.type)) for f in manifest.schema), json.dumps(
        manifest.constraints.get("missing", {}), sort_keys=True, default=str
    )


def _file_key(entry: DataFile, layout: tuple, *, live_only: bool = True) -> tuple:
    """What a file's rows as read here depend on: the file, its column names, the table's layout
    and, for its live rows only, its deletion vector (``live_only=False``: all its stored rows)."""
    deleted = (len(entry.deleted), entry.deletion_digest) if live_only else None
    return entry.path, deleted, tuple(sorted(entry.columns.items())), layout


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
