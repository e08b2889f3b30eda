"""Registering the catalog relations and functions in a DataFusion session."""

from __future__ import annotations

import threading
import weakref
from typing import Iterable, Mapping

import pyarrow as pa
from datafusion import SessionContext
from datafusion.catalog import Schema

from .functions import CatalogState, register_functions
from .tables import TableInfo, build, relation_oid

SCHEMAS = ("pg_catalog", "information_schema")
# relations whose rows depend on the branch's tables and types, the user or the settings; the rest never change
DYNAMIC = {
    "pg_catalog.pg_class",
    "pg_catalog.pg_description",
    "pg_catalog.pg_attribute",
    "pg_catalog.pg_attrdef",
    "pg_catalog.pg_sequence",
    "pg_catalog.pg_index",
    "pg_catalog.pg_constraint",
    "pg_catalog.pg_database",
    "pg_catalog.pg_roles",
    "pg_catalog.pg_user",
    "pg_catalog.pg_settings",
    "pg_catalog.pg_indexes",
    "information_schema.tables",
    "information_schema.columns",
    "pg_catalog.pg_tables",
    "pg_catalog.pg_views",
    "pg_catalog.pg_stat_user_tables",
    "pg_catalog.pg_extension",
    "pg_catalog.pg_opclass",
    "pg_catalog.pg_type",
    "pg_catalog.pg_enum",
    "information_schema.schemata",
    "information_schema.table_constraints",
    "information_schema.key_column_usage",
    "information_schema.referential_constraints",
    "information_schema.constraint_column_usage",
    "information_schema.check_constraints",
    "information_schema.sequences",
}
_states: "weakref.WeakKeyDictionary[SessionContext, CatalogState]" = weakref.WeakKeyDictionary()


def _register_table(df_ctx: SessionContext, name: str, table: pa.Table) -> None:
    if df_ctx.table_exist(name):
        df_ctx.deregister_table(name)
    df_ctx.register_record_batches(name, [table.to_batches() or [pa.RecordBatch.from_pylist([], schema=table.schema)]])


def register_pg_catalog(
    df_ctx: SessionContext,
    tables: Iterable,
    *,
    database: str,
    user: str,
    settings: Mapping[str, str],
    cancel: threading.Event | None = None,
    extensions: Mapping[str, str] | None = None,
    types: Mapping[str, list[str]] | None = None,
    sequences: Mapping[str, dict] | None = None,
) -> None:
    """(Re)register the catalog in ``df_ctx`` for this branch's ``tables``, the ``extensions``
    it installed (name -> version), its enum ``types`` (name -> labels) and its standalone
    ``sequences`` (name -> definition).

    ``tables`` are the engine's TableInfo items (name, schema, primary_key,
    not_null, defaults, indexes); anything with those attributes works.
    ``cancel`` is the session's cancel event, which ends pg_sleep() early.
    The first call per context registers everything; later calls replace only
    the relations that depend on tables, user or settings (a few ms).
    """
    infos = [
        t
        if isinstance(t, TableInfo)
        else TableInfo(
            t.name,
            t.schema,
            list(getattr(t, "primary_key", []) or []),
            set(getattr(t, "not_null", ()) or ()),
            dict(getattr(t, "defaults", {}) or {}),
            list(getattr(t, "indexes", []) or []),
            getattr(t, "kind", "r"),
        )
        for t in tables
    ]
    flat = {str(k).lower(): str(settings[k]) for k in list(settings)}
    relations = build(
        infos,
        database=database,
        user=user or "agentlake",
        settings=flat,
        extensions=extensions,
        types=types,
        sequences=sequences,
    )
    state = _states.get(df_ctx)
    first = state is None
    if first:
        catalog = df_ctx.catalog()
        for schema in SCHEMAS:
            if schema not in catalog.schema_names():
                catalog.register_schema(schema, Schema.memory_schema())
        state = _states[df_ctx] = CatalogState()
    for name, table in relations.items():
        if "." in name and (first or name in DYNAMIC):
            try:
                _register_table(df_ctx, name, table)
            except Exception:  # noqa: BLE001 - DataFusion's own information_schema, when enabled, answers instead
                if not name.startswith("information_schema."):
                    raise
    indexdefs, constraints, classes = (
        relations[n] for n in ("_indexdefs", "pg_catalog.pg_constraint", "pg_catalog.pg_class")
    )
    state.database, state.user, state.settings = database, user or "agentlake", settings
    state.set_enum_types(types or {})
    state.index_defs = dict(zip(indexdefs.column("oid").to_pylist(), indexdefs.column("def").to_pylist()))
    state.index_keys = dict(zip(indexdefs.column("oid").to_pylist(), indexdefs.column("keys").to_pylist()))
    oids = constraints.column("oid").to_pylist()
    state.constraint_defs = dict(zip(oids, constraints.column("condef").to_pylist()))
    state.constraint_defs_pretty = dict(zip(oids, constraints.column("condef_pretty").to_pylist()))
    state.relations = dict(zip(classes.column("relname").to_pylist(), classes.column("oid").to_pylist()))
    state.view_defs = {relation_oid(t.name): t.definition for t in infos if t.kind == "v" and t.definition}
    descriptions = relations["pg_catalog.pg_description"]
    columns = ("classoid", "objoid", "objsubid", "description")
    state.descriptions = {
        (kind, oid, sub): text for kind, oid, sub, text in zip(*(descriptions.column(c).to_pylist() for c in columns))
    }
    state.sizes = {
        oid: 0
        for oid, kind in zip(classes.column("oid").to_pylist(), classes.column("relkind").to_pylist())
        if kind == "i"
    } | {relation_oid(t.name): t.size for t in infos if t.kind == "r"}
    if first:
        register_functions(df_ctx, state, cancel)
