"""Keeps a DataFusion session in step with a catalog snapshot.

Each table becomes a view over one Parquet scan per data file (DataFusion 55's
``register_parquet`` takes a path, not a file list, and a pyarrow dataset is slower and
breaks on ``string_view``): columns are matched by field id, deletion vectors
become filters, and DataFusion pushes projections and predicates into every
scan. Registration is cached per manifest, so repeated queries on an unchanged
snapshot cost nothing here.
"""
from __future__ import annotations

import pyarrow as pa
from datafusion import DataFrame, SessionConfig, SessionContext, col, lit
from datafusion import functions as F

from catalog import Manifest, Snapshot
from catalog.objects import ROWID, DataFile, field_id

ROWS_PREFIX = "_rows_"
MAX_INLINE_DELETES = 4096


def new_session(target_partitions: int | None = None) -> SessionContext:
    """A DataFusion session configured for agentlake: PostgreSQL-like identifiers, classic string types."""
    config = (
        SessionConfig()
        .with_information_schema(False)
        .set("datafusion.execution.parquet.schema_force_view_types", "false")
        .set("datafusion.sql_parser.map_string_types_to_utf8view", "false")
        .set("datafusion.execution.parquet.pushdown_filters", "true")
        .set("datafusion.execution.parquet.reorder_filters", "true")
        .set("datafusion.sql_parser.parse_float_as_decimal", "true")  # 0.1 + 0.2 = 0.3, as in PostgreSQL
    )
    if target_partitions:
        config = config.with_target_partitions(target_partitions)
    return SessionContext(config)


class SnapshotRegistry:
    """Registers the tables and views of whichever snapshot a session reads."""

    def __init__(self, ctx: SessionContext) -> None:
        self.ctx = ctx
        self._tables: dict[str, str] = {}
        self._views: dict[str, str] = {}

    def sync(self, snapshot: Snapshot) -> None:
        changed = False
        for name in list(self._tables):
            if name not in snapshot.tables:
                self._drop(name)
                changed = True
        for name, manifest in snapshot.tables.items():
            key = manifest.encoded[0]
            if self._tables.get(name) != key:
                self._register(snapshot, name, manifest)
                self._tables[name] = key
                changed = True
        self._sync_views(snapshot.views, rebuild=changed)

    def _drop(self, name: str) -> None:
        for table in (name, ROWS_PREFIX + name):
            if self.ctx.table_exist(table):
                self.ctx.deregister_table(table)
        self._tables.pop(name, None)

    def _register(self, snapshot: Snapshot, name: str, manifest: Manifest) -> None:
        frames = [self._file_frame(snapshot, manifest, f) for f in manifest.files if f.live_rows]
        if frames:
            frame = frames[0]
            for other in frames[1:]:
                frame = frame.union(other)
        else:
            empty = pa.schema(list(manifest.schema) + [pa.field(ROWID, pa.int64())]).empty_table()
            frame = self.ctx.from_arrow(empty)
        self._drop(name)
        self.ctx.register_view(ROWS_PREFIX + name, frame)
        self.ctx.register_view(name, frame.select(*[col(_quote(f.name)) for f in manifest.schema]))

    def _file_frame(self, snapshot: Snapshot, manifest: Manifest, entry: DataFile) -> DataFrame:
        frame = self.ctx.read_parquet(snapshot.repo.storage.uri(entry.path))
        if len(entry.deleted):
            if len(entry.deleted) <= MAX_INLINE_DELETES:
                frame = frame.filter(~F.in_list(col(ROWID), [lit(int(r)) for r in entry.deleted]))
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


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
