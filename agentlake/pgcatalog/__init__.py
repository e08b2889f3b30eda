"""pg_catalog and information_schema for PostgreSQL clients, planned by DataFusion.

``register_pg_catalog(ctx, tables, ...)`` installs the catalog relations (Arrow
tables built from the branch's real tables) and the catalog functions (UDFs)
into a DataFusion session; ``rewrite.RULES`` map PostgreSQL-only syntax onto
them. Call it again whenever the branch's tables change.
"""
from __future__ import annotations

import threading
from typing import Iterable, Mapping

import pyarrow as pa
from datafusion import SessionContext
from datafusion.catalog import Schema

from .functions import register_functions
from .rewrite import RULES, install_rules, rewrite
from .tables import TableInfo, build, relation_oid
from .types import VECTOR_OID, PgType, lookup

SCHEMAS = ("pg_catalog", "information_schema")


def register_pg_catalog(df_ctx: SessionContext, tables: Iterable, *, database: str, user: str,
                        settings: Mapping[str, str], cancel: threading.Event | None = None) -> None:
    """(Re)register every catalog relation and function in ``df_ctx`` for this branch's ``tables``.

    ``tables`` are the engine's TableInfo items (name, schema, primary_key,
    not_null, defaults, indexes); anything with those attributes works.
    ``cancel`` is the session's cancel event, which ends pg_sleep() early.
    """
    infos = [t if isinstance(t, TableInfo) else TableInfo(
        t.name, t.schema, list(getattr(t, "primary_key", []) or []), set(getattr(t, "not_null", ()) or ()),
        dict(getattr(t, "defaults", {}) or {}), list(getattr(t, "indexes", []) or []),
        getattr(t, "kind", "r")) for t in tables]
    flat = {str(k).lower(): str(settings[k]) for k in list(settings)}
    relations = build(infos, database=database, user=user or "agentlake", settings=flat)
    catalog = df_ctx.catalog()
    for schema in SCHEMAS:
        if schema not in catalog.schema_names():
            catalog.register_schema(schema, Schema.memory_schema())
    for name, table in relations.items():
        if df_ctx.table_exist(name):
            df_ctx.deregister_table(name)
        df_ctx.register_record_batches(name, [table.to_batches() or [pa.RecordBatch.from_pylist([], schema=table.schema)]])
    index_defs = dict(zip(relations["pg_catalog.pg_indexdef"].column("oid").to_pylist(),
                          relations["pg_catalog.pg_indexdef"].column("def").to_pylist()))
    constraints = relations["pg_catalog.pg_constraint"]
    constraint_defs = dict(zip(constraints.column("oid").to_pylist(), constraints.column("condef").to_pylist()))
    classes = relations["pg_catalog.pg_class"]
    class_oids = dict(zip(classes.column("relname").to_pylist(), classes.column("oid").to_pylist()))
    register_functions(df_ctx, database=database, user=user or "agentlake", settings=flat, index_defs=index_defs,
                       constraint_defs=constraint_defs, relations=class_oids, cancel=cancel)


__all__ = ["RULES", "PgType", "TableInfo", "VECTOR_OID", "install_rules", "lookup", "register_pg_catalog",
           "relation_oid", "rewrite"]
