"""Keeps a session's DataFusion context's pg_catalog in step with the snapshot it reads.

The engine calls :func:`sync` whenever it syncs a context to a snapshot;
registration happens only when the tables, views or user changed, so ordinary
queries pay one dictionary lookup.
"""
from __future__ import annotations

import os
import weakref
from typing import Any

from datafusion import SessionContext

from . import register_pg_catalog
from .tables import TableInfo

_registered: "weakref.WeakKeyDictionary[SessionContext, tuple]" = weakref.WeakKeyDictionary()


def tables_of(snapshot: Any) -> list[TableInfo]:
    """TableInfo for every table and view of a catalog snapshot (what ``Connection.catalog_tables`` returns)."""
    out = []
    for name, manifest in sorted(snapshot.tables.items()):
        constraints = manifest.constraints or {}
        defaults = dict(constraints.get("defaults", {}))
        for column, sequence in constraints.get("identity", {}).items():
            defaults.setdefault(column, f"nextval('{sequence}'::regclass)")
        not_null = {f.name for f in manifest.schema if not f.nullable}
        indexes = [{"name": index, **definition} for index, definition in (manifest.indexes or {}).items()]
        out.append(TableInfo(name, manifest.schema, list(manifest.primary_key), not_null, defaults, indexes))
    return out


def database_name(repo: Any) -> str:
    return os.path.basename(repo.storage.uri("").rstrip("/")) or "agentlake"


def sync(ctx: SessionContext, session: Any) -> None:
    """Register pg_catalog for ``session``'s current snapshot unless it is already registered."""
    snapshot = session.snapshot
    key = (tuple((name, m.encoded[0]) for name, m in sorted(snapshot.tables.items())),
           tuple(sorted(snapshot.views)), session.user)
    if _registered.get(ctx) == key:
        return
    views = [TableInfo(name, ctx.table(name).schema(), kind="v") for name in sorted(snapshot.views)
             if ctx.table_exist(name)]
    register_pg_catalog(ctx, tables_of(snapshot) + views, database=database_name(session.repo),
                        user=session.user or "agentlake", settings=session.settings,
                        cancel=getattr(session, "_cancel", None))
    _registered[ctx] = key
