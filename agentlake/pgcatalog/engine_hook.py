"""Keeps a session's DataFusion context's pg_catalog in step with the snapshot it reads.

The engine calls :func:`sync` whenever it syncs a context to a snapshot;
registration happens only when the tables, views, extensions, enum types or user changed, so ordinary
queries pay one dictionary lookup.
"""

from __future__ import annotations

import json
import os
import re
import weakref
from typing import TYPE_CHECKING, Any, Callable

from catalog.constraints import table_constraints
from catalog.objects import FIELD_ID

from ..sql.pg_deparse import parse_expression, view_definition
from .tables import TableInfo
from .types import column_type_name, enum_key

if TYPE_CHECKING:
    from datafusion import SessionContext

_registered: "weakref.WeakKeyDictionary[SessionContext, tuple]" = weakref.WeakKeyDictionary()


def tables_of(snapshot: Any) -> list[TableInfo]:
    """TableInfo for every table and view of a catalog snapshot (what ``Connection.catalog_tables`` returns)."""
    out = []
    for name, manifest in sorted(snapshot.tables.items()):
        constraints = manifest.constraints or {}
        defaults = dict(constraints.get("defaults", {}))
        identities = dict(constraints.get("identity_kind", {}))
        for column, sequence in constraints.get("identity", {}).items():
            if column not in identities:  # a serial's default; an identity column has none
                defaults.setdefault(column, f"nextval('{sequence}'::regclass)")
        not_null = {f.name for f in manifest.schema if not f.nullable}
        indexes = [{"name": index, **definition} for index, definition in (manifest.indexes or {}).items()]
        listed = [c for c in constraints.get("list", []) if c.get("type") in ("u", "c", "f")]
        key_name = table_constraints(manifest, name)[0].name if manifest.primary_key else ""  # the key comes first
        out.append(
            TableInfo(
                name,
                manifest.schema,
                list(manifest.primary_key),
                not_null,
                defaults,
                indexes,
                constraints=listed,
                max_length=dict(constraints.get("max_length", {})),
                comments=_comments(manifest),
                size=sum(f.size for f in manifest.files),
                rows=manifest.row_count,
                sequences=dict(constraints.get("identity", {})),
                identities=identities,
                sequence_steps={c: tuple(steps) for c, steps in constraints.get("sequence_steps", {}).items()},
                generated=dict(constraints.get("generated", {})),
                primary_key_name=key_name,
            )
        )
    return out


def view_definitions(stored: str, type_of: Callable[[str], str | None]) -> tuple[str, str] | None:
    """A view's query as pg_get_viewdef prints it, plain and pretty (``type_of``: the tables'
    column types, so varchar columns are relabelled as text as PostgreSQL shows them); None when
    the stored query does not parse."""
    query = parse_expression(stored)
    if query is None:
        return None
    return view_definition(query, type_of, pretty=False), view_definition(query, type_of, pretty=True)


def _column_types(snapshot: Any) -> dict[str, str]:
    """Every table column's type by name (the first table's where names repeat)."""
    types: dict[str, str] = {}
    for manifest in snapshot.tables.values():
        lengths = (manifest.constraints or {}).get("max_length", {})
        for f in manifest.schema:
            types.setdefault(f.name, column_type_name(f, f.name in lengths))
    return types


def _comments(manifest: Any) -> dict[str, str]:
    """COMMENT ON texts by column name ("" for the table): the manifest keys columns by field id,
    so a comment follows its column through renames and goes with it when it is dropped."""
    by_id = {f.metadata[FIELD_ID].decode(): f.name for f in manifest.schema if f.metadata and FIELD_ID in f.metadata}
    stored = (manifest.constraints or {}).get("comments", {})
    return {("" if key == "" else by_id[key]): text for key, text in stored.items() if key == "" or key in by_id}


def database_name(repo: Any) -> str:
    return os.path.basename(repo.storage.uri("").rstrip("/")) or "agentlake"


def sync(ctx: SessionContext, session: Any, snapshot: Any = None) -> None:
    """Register pg_catalog for ``session``'s snapshot (its current one by default) unless already registered."""
    snapshot = snapshot if snapshot is not None else session.snapshot
    key = (
        tuple((name, m.encoded[0]) for name, m in sorted(snapshot.tables.items())),
        tuple(sorted(snapshot.views)),
        tuple(sorted(snapshot.extensions.items())),
        enum_key(snapshot.types),
        tuple(sorted((name, json.dumps(spec, sort_keys=True)) for name, spec in snapshot.sequences.items())),
        session.user,
    )
    if _registered.get(ctx) == key:
        return
    from .catalog import register_pg_catalog

    column_types = _column_types(snapshot).get if snapshot.views else None
    views = [
        TableInfo(
            name,
            ctx.table(name).schema(),
            kind="v",
            definition=view_definitions(snapshot.views[name], column_types),
            **session.view_facts(name),
        )
        for name in sorted(snapshot.views)
        if ctx.table_exist(name)
    ]
    register_pg_catalog(
        ctx,
        tables_of(snapshot) + views,
        database=database_name(session.repo),
        user=session.user or "agentlake",
        settings=session.settings,
        cancel=session.cancel_event,
        extensions=snapshot.extensions,
        types=snapshot.types,
        sequences=snapshot.sequences,
    )
    _registered[ctx] = key


_CATALOG_TEXT = re.compile(
    r"pg_|information_schema|version\s*\(|current_(user|schema|database|setting)|"
    r"session_user|regclass|regtype|to_reg|format_type|obj_description|has_\w+_privilege",
    re.IGNORECASE,
)


def sync_session(session: Any, sql: str) -> None:
    """Bring an engine session's pg_catalog up to date before a catalog query (the API calls it
    before running or describing a statement, for its own users and the server's alike); only
    statements that can touch the catalog pay for it."""
    if _CATALOG_TEXT.search(sql):
        sync(session.runner.sync(), session)
