"""PostgreSQL catalog functions as DataFusion scalar UDFs.

They work row by row on small catalog columns, so plain Python over
``to_pylist`` is clear and fast enough. Session facts (user, database,
settings, index definitions) are bound when a session registers them.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import pyarrow as pa
from datafusion import SessionContext, udf

from .tables import DATABASE_OID, NAMESPACES, USER_OID
from .types import BY_OID, VECTOR_OID, display_name, lookup

SERVER_VERSION = "16.4"
OID = pa.uint32()


def version_string() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("agentlake")
    except PackageNotFoundError:
        ours = "dev"
    return f"PostgreSQL {SERVER_VERSION} (agentlake {ours}) on x86_64-pc-linux-gnu, compiled by agentlake, 64-bit"


def format_type(oid: int | None, typmod: int | None) -> str | None:
    """format_type(): the SQL spelling of a type with its modifier (varchar(20), numeric(10,2), vector(3))."""
    if oid is None:
        return None
    name = display_name(oid)
    if name is None:
        return "???"
    if typmod is None or typmod < 0:
        return name
    base = BY_OID[oid].name
    if oid == VECTOR_OID:
        return f"vector({typmod})"
    if base == "numeric":
        precision, scale = (typmod - 4) >> 16, (typmod - 4) & 0xFFFF
        return f"numeric({precision},{scale})"
    if base in ("varchar", "bpchar"):
        return f"{name}({typmod - 4})"
    return name


def _rowwise(fn: Callable[..., Any], arity: int) -> Callable[..., pa.Array]:
    def call(*arrays: pa.Array) -> pa.Array:
        columns = [a.to_pylist() for a in arrays]
        return [fn(*row) for row in zip(*columns)] if columns else [fn()]
    return call


# functions taking OIDs, which clients often pass quoted ('16385'); the rewrite rules unquote them
OID_FUNCTIONS = frozenset({
    "pg_relation_is_publishable", "pg_get_indexdef", "pg_get_indexdef_column", "pg_get_constraintdef",
    "pg_get_constraintdef_pretty", "pg_get_viewdef", "pg_get_expr", "pg_get_expr_pretty", "pg_table_is_visible",
    "pg_type_is_visible", "format_type", "pg_get_userbyid", "obj_description", "obj_description_any",
    "col_description", "shobj_description", "pg_get_statisticsobjdef_columns", "pg_regclass_text",
    "pg_regtype_text", "pg_regnamespace_text", "pg_encoding_to_char"})


def _register(ctx: SessionContext, name: str, fn: Callable[..., Any], inputs: list[pa.DataType],
              output: pa.DataType, volatility: str = "stable") -> None:
    row = _rowwise(fn, len(inputs))
    ctx.register_udf(udf(lambda *a: pa.array(row(*a), output), inputs, output, volatility, name=name))


def _sleeper(cancel: threading.Event | None) -> Callable[[pa.Array], pa.Array]:
    """pg_sleep(seconds), ending early with an error when the session is canceled (as PostgreSQL's does)."""
    def sleep(seconds: pa.Array) -> pa.Array:
        deadline = time.monotonic() + max((s for s in seconds.to_pylist() if s is not None), default=0)
        while (left := deadline - time.monotonic()) > 0:
            if cancel is not None and cancel.wait(min(left, 0.05)):
                raise RuntimeError("canceling statement due to user request")
            if cancel is None:
                time.sleep(min(left, 0.05))
        return pa.array([None] * len(seconds), pa.null())
    return sleep


@dataclass
class CatalogState:
    """What the functions read at call time; updated in place when the branch's tables change,
    so the UDFs are registered once per DataFusion context."""

    database: str = ""
    user: str = ""
    settings: Mapping[str, str] = field(default_factory=dict)
    index_defs: dict[int, str] = field(default_factory=dict)
    constraint_defs: dict[int, str] = field(default_factory=dict)
    relations: dict[str, int] = field(default_factory=dict)

    def setting(self, name: str) -> str | None:
        try:
            return str(self.settings[str(name).lower()])
        except Exception:  # noqa: BLE001 - unknown settings read as NULL (current_setting(name, true))
            return None


def register_functions(ctx: SessionContext, state: CatalogState, cancel: threading.Event | None = None) -> None:
    """Every catalog function clients call; overloads get their own names (DataFusion UDFs have one signature)."""
    text, i64, i32, boolean = pa.string(), pa.int64(), pa.int32(), pa.bool_()
    version = version_string()
    _register(ctx, "version", lambda: version, [], text)
    _register(ctx, "current_schema", lambda: "public", [], text)
    _register(ctx, "current_database", lambda: state.database, [], text)
    _register(ctx, "pg_current_user", lambda: state.user, [], text)
    _register(ctx, "pg_session_user", lambda: state.user, [], text)
    _register(ctx, "pg_backend_pid", lambda: 0, [], i32)
    _register(ctx, "current_setting", lambda name: state.setting(name), [text], text)
    _register(ctx, "pg_table_is_visible", lambda oid: oid is not None, [i64], boolean)
    _register(ctx, "pg_type_is_visible", lambda oid: oid is not None, [i64], boolean)
    _register(ctx, "format_type", format_type, [i64, i64], text)
    _register(ctx, "pg_get_expr", lambda expr, rel: expr, [text, i64], text)
    _register(ctx, "pg_get_expr_pretty", lambda expr, rel, pretty: expr, [text, i64, boolean], text)
    _register(ctx, "pg_get_userbyid", lambda oid: state.user if oid == USER_OID else f"unknown (OID={oid})", [i64], text)
    _register(ctx, "to_regtype", lambda name: None if name is None else
              getattr(lookup(name), "oid", None), [text], OID)
    _register(ctx, "pg_regtype_text", lambda oid: None if oid is None else display_name(oid) or str(oid),
              [i64], text)
    _register(ctx, "obj_description", lambda oid, kind: None, [i64, text], text)
    _register(ctx, "obj_description_any", lambda oid: None, [i64], text)
    _register(ctx, "col_description", lambda oid, num: None, [i64, i64], text)
    _register(ctx, "shobj_description", lambda oid, kind: None, [i64, text], text)
    _register(ctx, "array_upper", lambda arr, dim: (len(arr) if arr else None) if dim == 1 else None,
              [pa.list_(i64), i64], i32)
    _register(ctx, "array_lower", lambda arr, dim: (1 if arr else None) if dim == 1 else None,
              [pa.list_(i64), i64], i32)
    _register(ctx, "pg_get_indexdef", lambda oid: state.index_defs.get(oid), [i64], text)
    _register(ctx, "pg_get_indexdef_column", lambda oid, column, pretty: state.index_defs.get(oid) if column == 0
              else None, [i64, i64, boolean], text)
    _register(ctx, "pg_get_constraintdef", lambda oid: state.constraint_defs.get(oid), [i64], text)
    _register(ctx, "pg_get_constraintdef_pretty", lambda oid, pretty: state.constraint_defs.get(oid), [i64, boolean], text)
    _register(ctx, "pg_encoding_to_char", lambda enc: "UTF8" if enc == 6 else "SQL_ASCII", [i64], text)
    _register(ctx, "pg_get_viewdef", lambda oid: None, [i64], text)
    _register(ctx, "pg_relation_is_publishable", lambda oid: False, [i64], boolean)
    _register(ctx, "pg_regclass_oid", lambda name: None if name is None else
              state.relations.get(str(name).removeprefix("public.").removeprefix("pg_catalog.").strip('"')), [text], OID)
    namespaces = {oid: name for name, oid in NAMESPACES.items()}
    _register(ctx, "pg_regnamespace_text", lambda oid: None if oid is None else namespaces.get(oid, str(oid)),
              [i64], text)
    _register(ctx, "pg_regproc_text", lambda oid: None if oid is None else str(oid), [i64], text)
    _register(ctx, "pg_get_statisticsobjdef_columns", lambda oid: None, [i64], text)
    _register(ctx, "pg_regclass_text", lambda oid: None if oid is None else next(
        (name for name, rel in state.relations.items() if rel == oid), str(oid)), [i64], text)
    for name, arity in (("has_table_privilege", 2), ("has_schema_privilege", 2), ("has_database_privilege", 2),
                        ("has_column_privilege", 3), ("pg_has_role", 2)):
        _register(ctx, name, lambda *args: True, [text] * arity, boolean)
    ctx.register_udf(udf(_sleeper(cancel), [pa.float64()], pa.null(), "volatile", name="pg_sleep"))
    _register(ctx, "pg_is_in_recovery", lambda: False, [], boolean)
    _register(ctx, "inet_server_port", lambda: 5432, [], i32)
    _register(ctx, "pg_namespace_oid", lambda name: NAMESPACES.get(name), [text], OID)
    _register(ctx, "pg_database_oid", lambda: DATABASE_OID, [], OID)
