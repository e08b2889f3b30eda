"""Running queries: snapshot registration, the executor seam, result normalization."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from ..sql.types import TYPE_KEY
from ..vector.arrays import VECTOR_RESULT

from ..errors import NotSupportedError
from . import router
from .fastpath import constant_select, point_lookup

if TYPE_CHECKING:
    from datafusion import SessionContext

    from .registry import SnapshotRegistry
    from .session import Session

_VIEW_TYPES = {pa.string_view(): pa.string(), pa.binary_view(): pa.binary(), pa.large_string(): pa.string(),
               pa.large_binary(): pa.binary()}


class QueryRunner:
    """Owns a session's DataFusion context and keeps it registered to the snapshot being read."""

    def __init__(self, session: "Session") -> None:
        self.session = session
        self._ctx: SessionContext | None = None
        self._registry: SnapshotRegistry | None = None
        self.last_route = ""
        self.last_topk: tuple | None = None
        """(statement, plan, select list, schema) of the last top-k answered by its plain path."""

    def context(self) -> SessionContext:
        """Made at the first statement that needs DataFusion (constant SELECTs and key lookups never do)."""
        if self._ctx is None:
            from .registry import SnapshotRegistry, new_session

            self._ctx = new_session()
            self._registry = SnapshotRegistry(self._ctx)
            for install in _INSTALLERS:
                install(self._ctx, self.session)
        return self._ctx

    def sync(self) -> SessionContext:
        ctx = self.context()
        self._registry.sync(self.session.snapshot)
        return ctx

    def plan(self, sql: str):
        return self.sync().sql(sql).optimized_logical_plan()

    def run_without_planning(self, stmt, cached_only: bool = False) -> pa.Table | None:
        """Constant SELECTs and primary-key lookups; None for everything that needs a plan
        (and, with ``cached_only``, for lookups that would read a file)."""
        found = constant_select(stmt)
        if found is not None:
            self.last_route = "constant (no planning)"
            return found
        found = point_lookup(self.session, stmt, cached_only)
        if found is not None:
            self.last_route = "primary-key lookup (no planning)"
        return found

    def run_query(self, stmt) -> pa.Table:
        """A SELECT-like statement; the executor router hooks in here."""
        found = self.run_without_planning(stmt)
        if found is not None:
            return found
        from .vectors import match_topk, run_topk

        search = match_topk(stmt, self.session.snapshot)
        if search is not None:
            table, self.last_route = run_topk(self.session, stmt, search)
            return table
        executor, reason = router.choose(self.session, stmt)
        self.last_route = f"{executor} ({reason})"
        if executor == "local":
            table = self.run_sql(self.session.datafusion_sql(stmt))
        else:
            try:
                table = normalize(router.run_on_dask(self.session, stmt, gpu=executor == "gpu"))
            except NotSupportedError as err:
                if self.session.settings["agentlake.executor"] != "auto":
                    raise
                self.last_route = f"local (the {executor} compiler declined: {err})"
                table = self.run_sql(self.session.datafusion_sql(stmt))
        return restore_types(table, self.session.snapshot, stmt)

    def route_for(self, stmt) -> str:
        """Which executor would run a planned query, and why (for EXPLAIN)."""
        executor, reason = router.choose(self.session, stmt)
        return f"{executor} ({reason})"

    def run_sql(self, sql: str) -> pa.Table:
        return normalize(self.sync().sql(sql).to_arrow_table())

    def describe(self, stmt) -> pa.Schema:
        """The columns a query returns, planned (placeholders unbound) but not run."""
        constant = constant_select(stmt)
        if constant is not None:
            return constant.schema
        planned = self.sync().sql(self.session.datafusion_sql(stmt)).schema()
        return restored_schema(classic_schema(planned), self.session.snapshot, stmt)


def restore_types(table: pa.Table, snapshot, stmt) -> pa.Table:
    """Put back what DataFusion drops: which string columns are jsonb/uuid, which lists are vectors."""
    schema = restored_schema(table.schema, snapshot, stmt)
    return _empty_vectors_as_null(table if schema is table.schema else table.cast(schema))


def _empty_vectors_as_null(table: pa.Table) -> pa.Table:
    """``avg(vector)`` or ``sum(vector)`` over no rows is NULL in pgvector; DataFusion cannot take a
    NULL list from an aggregate, which answers an empty one instead (no vector has 0 dimensions)."""
    for index, f in enumerate(table.schema):
        if f.type != VECTOR_RESULT:
            continue
        empty = pc.equal(pc.list_value_length(table.column(index)), 0)
        if pc.any(empty).as_py():
            table = table.set_column(index, f, pc.if_else(empty, pa.scalar(None, f.type), table.column(index)))
    return table


def restored_schema(schema: pa.Schema, snapshot, stmt) -> pa.Schema:
    tagged: dict[str, dict] = {}
    for node in stmt.find_all(exp.Table):
        manifest = snapshot.tables.get(node.name)
        if manifest is not None:
            for f in manifest.schema:
                if f.metadata and f.metadata.get(TYPE_KEY) not in (None, b"vector"):  # text kept as json/uuid
                    tagged.setdefault(f.name, {TYPE_KEY: f.metadata[TYPE_KEY]})
    fields, changed = [], False
    for f in schema:
        meta = tagged.get(f.name) if pa.types.is_string(f.type) else None
        if (pa.types.is_fixed_size_list(f.type) and pa.types.is_floating(f.type.value_type)) or f.type == VECTOR_RESULT:
            meta = {TYPE_KEY: b"vector"}
        if meta and (f.metadata or {}).get(TYPE_KEY) != meta[TYPE_KEY]:
            f, changed = f.with_metadata({**(f.metadata or {}), **meta}), True
        fields.append(f)
    return pa.schema(fields, metadata=schema.metadata) if changed else schema


def normalize(table: pa.Table) -> pa.Table:
    """Results use classic Arrow types (no views, no large offsets) so every client understands them."""
    schema = classic_schema(table.schema)
    return table if schema is table.schema else table.cast(schema)


def classic_schema(schema: pa.Schema) -> pa.Schema:
    fields = []
    changed = False
    for f in schema:
        target = _VIEW_TYPES.get(f.type)
        if target is not None:
            changed = True
            f = f.with_type(target)
        fields.append(f)
    return pa.schema(fields, metadata=schema.metadata) if changed else schema


_INSTALLERS: list = []


def on_new_context(install) -> None:
    """Register ``install(ctx, session)``: UDFs and catalogs every session context needs."""
    _INSTALLERS.append(install)


from . import vectors  # noqa: E402  (registers the vector functions on every new context)

on_new_context(vectors._install_functions)
