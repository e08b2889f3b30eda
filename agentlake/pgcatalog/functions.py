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

from ..errors import ProgrammingError
from ..sql.pg_deparse import pretty_text
from ..sql.types import void_field
from .tables import CATALOG_OIDS, DATABASE_OID, DATABASE_OWNER_OID, NAMESPACES, PG_CLASS_OID, USER_OID
from .type_of import pg_type_name
from .types import BY_NAME, BY_OID, VECTOR_OID, PgType, display_name, lookup, with_enum_types

SERVER_VERSION = "16.4"
OID = pa.uint32()


def version_string() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("agentlake")
    except PackageNotFoundError:
        ours = "dev"
    return f"PostgreSQL {SERVER_VERSION} (agentlake {ours}) on x86_64-pc-linux-gnu, compiled by agentlake, 64-bit"


def format_type(oid: int | None, typmod: int | None, by_oid: Mapping[int, PgType] = BY_OID) -> str | None:
    """format_type(): the SQL spelling of a type with its modifier (varchar(20), numeric(10,2), vector(3));
    ``by_oid``: the types there are (a session's has its branch's enum types)."""
    if oid is None:
        return None
    name = display_name(oid, by_oid)
    if name is None:
        return "???"
    if typmod is None or typmod < 0:
        return name
    base = by_oid[oid].name
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


_PRETTY_UNITS = (
    ("bytes", 10 * 1024, False, 0),
    ("kB", 20 * 1024 - 1, True, 10),
    ("MB", 20 * 1024 - 1, True, 20),
    ("GB", 20 * 1024 - 1, True, 30),
    ("TB", 20 * 1024 - 1, True, 40),
    ("PB", 20 * 1024 - 1, True, 50),
)


def size_pretty(size: int | None) -> str | None:
    """pg_size_pretty(bigint) as PostgreSQL 16 computes it: bytes below 10 kB, then the largest unit
    that keeps the number under 20 thousand-odd, rounded half away from zero."""
    if size is None:
        return None
    for index, (name, limit, rounded, bits) in enumerate(_PRETTY_UNITS):
        last = index == len(_PRETTY_UNITS) - 1
        if last or abs(size) < limit:
            if rounded:
                size = int((size + (-1 if size < 0 else 1)) / 2)
            return f"{size} {name}"
        following = _PRETTY_UNITS[index + 1]
        shift = following[3] - bits - following[2] + rounded
        size = int(size / (1 << shift))  # C's division, toward zero
    return None


def _register(
    ctx: SessionContext,
    name: str,
    fn: Callable[..., Any],
    inputs: list[pa.DataType],
    output: pa.DataType,
    volatility: str = "stable",
) -> None:
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
        return pa.array([None if s is None else "" for s in seconds.to_pylist()], pa.string())

    return sleep


@dataclass
class CatalogState:
    """What the functions read at call time; updated in place when the branch's tables change,
    so the UDFs are registered once per DataFusion context."""

    database: str = ""
    user: str = ""
    settings: Mapping[str, str] = field(default_factory=dict)
    index_defs: dict[int, str] = field(default_factory=dict)
    index_keys: dict[int, list[str]] = field(default_factory=dict)  # each index's key columns or expressions
    constraint_defs: dict[int, str] = field(default_factory=dict)
    constraint_defs_pretty: dict[int, str] = field(default_factory=dict)
    view_defs: dict[int, tuple[str, str]] = field(default_factory=dict)
    """Each view's query as pg_get_viewdef prints it, by the view's OID: (plain, pretty)."""
    relations: dict[str, int] = field(default_factory=dict)
    descriptions: dict[tuple[int, int, int], str] = field(default_factory=dict)
    """pg_description's texts by (catalog OID, object OID, column number; 0 for the object itself):
    COMMENT ON tables and columns, and the extensions' own comments."""
    sizes: dict[int, int] = field(default_factory=dict)
    """Bytes per relation OID: a table's live data files; an index 0 (B-tree indexes live in memory
    and vector index files are not in the manifests)."""
    types_by_oid: Mapping[int, PgType] = field(default_factory=lambda: BY_OID)
    types_by_name: Mapping[str, PgType] = field(default_factory=lambda: BY_NAME)
    """The types ::regtype, to_regtype and format_type name: the built-in ones and the branch's enum types."""

    def set_enum_types(self, enums: Mapping[str, list[str]]) -> None:
        """Name the branch's enum types (name -> labels) and their array types, besides the built-in ones."""
        self.types_by_oid, self.types_by_name = with_enum_types(enums)

    def regtype_text(self, oid: int | None) -> str | None:
        """oid::regtype::text: the type's name, ``-`` for 0 (no type), the number for an unknown OID."""
        if oid is None:
            return None
        return "-" if oid == 0 else display_name(oid, self.types_by_oid) or str(oid)

    def regtype_oid(self, name: str | None) -> int | None:
        """to_regtype() and 'name'::regtype: the OID of a type by any of its names."""
        found = None if name is None else lookup(name, self.types_by_name)
        return None if found is None else found.oid

    def relation_oid(self, name: str | None) -> int | None:
        """::regclass of a name (optionally schema-qualified or quoted); None when there is none."""
        if name is None:
            return None
        name = str(name).removeprefix("public.").removeprefix("pg_catalog.").strip('"')
        # a catalog itself: pg_description's classoid of comments (SQLAlchemy and psql join on it)
        return CATALOG_OIDS[name] if name in CATALOG_OIDS and name not in self.relations else self.relations.get(name)

    def setting(self, name: str | None, missing_ok: bool = False) -> str | None:
        """current_setting(): an unknown setting is 42704, or NULL when ``missing_ok``, as in PostgreSQL."""
        if name is None:
            return None
        try:
            return str(self.settings[str(name)])
        except (KeyError, ProgrammingError):
            if missing_ok:
                return None
            raise ValueError(f'[SQLSTATE 42704] unrecognized configuration parameter "{name}"') from None


def register_functions(ctx: SessionContext, state: CatalogState, cancel: threading.Event | None = None) -> None:
    """Every catalog function clients call; overloads get their own names (DataFusion UDFs have one signature)."""
    text, i64, i32, boolean = pa.string(), pa.int64(), pa.int32(), pa.bool_()
    version = version_string()
    _register(ctx, "version", lambda: version, [], text)
    _register(ctx, "current_schema", lambda: "public", [], text)
    _register(ctx, "current_database", lambda: state.database, [], text)
    _register(ctx, "pg_current_user", lambda: state.user, [], text)
    _register(ctx, "pg_session_user", lambda: state.user, [], text)
    _register(ctx, "current_setting", state.setting, [text], text, "volatile")
    _register(ctx, "current_setting_missing_ok", state.setting, [text, boolean], text, "volatile")
    _register(ctx, "pg_table_is_visible", lambda oid: oid is not None, [i64], boolean)
    for kind in ("type", "opclass", "opfamily", "function", "collation", "conversion", "operator"):
        _register(ctx, f"pg_{kind}_is_visible", lambda oid: oid is not None, [i64], boolean)  # all in search_path
    # pg_proc lists no function, so none has a signature to print (PostgreSQL answers NULL for an
    # OID it does not know); psql's \df calls these over its rows
    for describe in ("pg_get_function_result", "pg_get_function_arguments", "pg_get_function_identity_arguments"):
        _register(ctx, describe, lambda oid: None, [i64], text)
    _register(ctx, "pg_tablespace_location", lambda oid: None if oid is None else "", [i64], text)
    _register(ctx, "format_type", lambda oid, typmod: format_type(oid, typmod, state.types_by_oid), [i64, i64], text)
    _register(ctx, "pg_type_name", pg_type_name, [text], text, "immutable")  # pg_typeof's, see type_of
    _register(ctx, "pg_get_expr", lambda expr, rel: expr, [text, i64], text)
    _register(
        ctx,
        "pg_get_expr_pretty",
        lambda expr, rel, pretty: pretty_text(expr) if pretty and expr is not None else expr,
        [text, i64, boolean],
        text,
    )
    roles = {DATABASE_OWNER_OID: "pg_database_owner"}
    _register(
        ctx,
        "pg_get_userbyid",
        lambda oid: state.user if oid == USER_OID else roles.get(oid, f"unknown (OID={oid})"),
        [i64],
        text,
    )
    _register(ctx, "to_regtype", state.regtype_oid, [text], OID)
    _register(ctx, "pg_regtype_text", state.regtype_text, [i64], text)

    def relation_comment(oid: int, kind: str = "pg_class") -> str | None:
        catalog = CATALOG_OIDS.get(str(kind).removeprefix("pg_catalog."))
        return None if catalog is None else state.descriptions.get((catalog, oid, 0))

    _register(ctx, "obj_description", relation_comment, [i64, text], text)
    _register(ctx, "obj_description_any", relation_comment, [i64], text)
    _register(
        ctx, "col_description", lambda oid, num: state.descriptions.get((PG_CLASS_OID, oid, num)), [i64, i64], text
    )
    _register(ctx, "shobj_description", lambda oid, kind: None, [i64, text], text)
    _register(
        ctx,
        "array_upper",
        lambda arr, dim: (len(arr) if arr else None) if dim == 1 else None,
        [pa.list_(i64), i64],
        i32,
    )
    _register(
        ctx, "array_lower", lambda arr, dim: (1 if arr else None) if dim == 1 else None, [pa.list_(i64), i64], i32
    )
    _register(ctx, "pg_get_indexdef", lambda oid: state.index_defs.get(oid), [i64], text)
    _register(
        ctx,
        "pg_get_indexdef_column",
        lambda oid, column, pretty: _index_key(state, oid, column),
        [i64, i64, boolean],
        text,
    )
    _register(ctx, "pg_get_constraintdef", lambda oid: state.constraint_defs.get(oid), [i64], text)
    _register(
        ctx,
        "pg_get_constraintdef_pretty",
        lambda oid, pretty: (state.constraint_defs_pretty if pretty else state.constraint_defs).get(oid),
        [i64, boolean],
        text,
    )
    _register(ctx, "pg_encoding_to_char", lambda enc: "UTF8" if enc == 6 else "SQL_ASCII", [i64], text)
    _register(ctx, "pg_get_viewdef", lambda oid: (state.view_defs.get(oid) or (None,))[0], [i64], text)
    _register(
        ctx,
        "pg_get_viewdef_pretty",
        lambda oid, pretty: (state.view_defs.get(oid) or (None, None))[1 if pretty else 0],
        [i64, boolean],
        text,
    )
    _register(ctx, "pg_get_triggerdef", lambda oid: None, [i64], text)  # there are no triggers: pg_trigger is empty
    _register(ctx, "pg_get_triggerdef_pretty", lambda oid, pretty: None, [i64, boolean], text)
    _register(ctx, "pg_relation_is_publishable", lambda oid: False, [i64], boolean)
    _register(ctx, "pg_regclass_oid", state.relation_oid, [text], OID)
    _register(
        ctx,
        "to_regclass",
        lambda name: None if state.relation_oid(name) is None else str(name).removeprefix("public.").strip('"'),
        [text],
        text,
    )
    _register(ctx, "pg_size_pretty", size_pretty, [i64], text)
    for name in ("pg_relation_size", "pg_table_size", "pg_total_relation_size"):
        _register(ctx, name, state.sizes.get, [i64], i64)
    _register(ctx, "pg_indexes_size", lambda oid: None if oid not in state.sizes else 0, [i64], i64)
    namespaces = {oid: name for name, oid in NAMESPACES.items()}
    _register(
        ctx, "pg_regnamespace_text", lambda oid: None if oid is None else namespaces.get(oid, str(oid)), [i64], text
    )
    _register(ctx, "pg_regproc_text", lambda oid: None if oid is None else str(oid), [i64], text)
    _register(ctx, "pg_get_statisticsobjdef_columns", lambda oid: None, [i64], text)
    _register(
        ctx,
        "pg_regclass_text",
        lambda oid: (
            None if oid is None else next((name for name, rel in state.relations.items() if rel == oid), str(oid))
        ),
        [i64],
        text,
    )
    for name, arity in (
        ("has_table_privilege", 2),
        ("has_schema_privilege", 2),
        ("has_database_privilege", 2),
        ("has_column_privilege", 3),
        ("pg_has_role", 2),
    ):
        _register(ctx, name, lambda *args: True, [text] * arity, boolean)
    ctx.register_udf(udf(_sleeper(cancel), [pa.float64()], void_field("pg_sleep"), "volatile", name="pg_sleep"))
    _register(ctx, "pg_is_in_recovery", lambda: False, [], boolean)
    _register(ctx, "inet_server_port", lambda: 5432, [], i32)
    _register(ctx, "pg_namespace_oid", lambda name: NAMESPACES.get(name), [text], OID)
    _register(ctx, "pg_database_oid", lambda: DATABASE_OID, [], OID)


def _index_key(state: CatalogState, oid: int, column: int) -> str | None:
    """pg_get_indexdef(index, column, pretty): the whole definition for column 0, else that key
    (a column's name or an expression's text); NULL past the last key, as PostgreSQL answers."""
    if column == 0:
        return state.index_defs.get(oid)
    keys = state.index_keys.get(oid) or []
    return keys[column - 1] if 0 < column <= len(keys) else None
