"""pg_catalog and information_schema relations, built as Arrow tables from a branch's real tables.

OIDs of user relations derive from their names (stable across sessions and
branches, above PostgreSQL's bootstrap range), so a client that caches an OID
between queries still finds the same table.
"""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import pyarrow as pa

from agentlake.results import is_unconstrained_numeric
from agentlake.sql.enum_types import enum_oid
from agentlake.sql.types import OPCLASSES, SQL_NAMES, TYPE_KEY

from .constraint_text import check_text, constraint_definition
from .constraint_views import constraint_views
from .extensions import installed
from .types import (
    BY_NAME,
    BY_OID,
    HALFVEC_OID,
    SPARSEVEC_OID,
    TYPES,
    VECTOR_OID,
    EnumKey,
    PgType,
    column_type,
    column_type_name,
    enum_key,
    enum_types,
    type_name,
    typmod_for_field,
)

NAMESPACES = {"pg_catalog": 11, "public": 2200, "information_schema": 13183}
DATABASE_OID = 16384
USER_OID = 10
DATABASE_OWNER_OID = 6171
"""pg_database_owner, the role that owns schema public since PostgreSQL 15."""
AM = {
    "heap": (2, "t"),
    "btree": (403, "i"),
    "hash": (405, "i"),
    "brin": (3580, "i"),
    "gin": (2742, "i"),
    "hnsw": (16400, "i"),
    "ivfflat": (16401, "i"),
}
VECTOR_OPCLASSES = [
    (16410 + n, method, opclass, opclass == "vector_l2_ops")
    for n, (method, opclass) in enumerate(
        (m, o) for m in ("hnsw", "ivfflat") for o in OPCLASSES if not (m == "ivfflat" and o == "vector_l1_ops")
    )
]
"""pgvector's operator classes as pg_opclass rows (oid, access method, name, default for the method)."""
OID = pa.uint32()
INT2_LIST = pa.list_(pa.int16())
CHAR = pa.field("char", pa.string(), metadata={TYPE_KEY: b"char"})
"""PostgreSQL's one-byte ``"char"`` (typtype and its kin): clients such as asyncpg read it as bytes."""


@dataclass
class TableInfo:
    """What pg_catalog needs to know about one user table (the engine's ``catalog_tables()`` items)."""

    name: str
    schema: pa.Schema
    primary_key: list[str] = field(default_factory=list)
    not_null: set[str] = field(default_factory=set)
    defaults: dict[str, str] = field(default_factory=dict)
    indexes: list = field(default_factory=list)
    kind: str = "r"  # r table, v view
    constraints: list[dict] = field(default_factory=list)
    """UNIQUE, CHECK and FOREIGN KEY constraints as the manifest keeps them (its JSON form)."""
    max_length: dict[str, int] = field(default_factory=dict)
    """varchar(n) and char(n) columns' lengths."""
    comments: dict[str, str] = field(default_factory=dict)
    """COMMENT ON the table (key ``""``) and its columns (by name)."""
    size: int = 0
    """Bytes of the table's live data files (pg_relation_size and its kin)."""
    rows: int = 0
    """Live rows (pg_stat_user_tables.n_live_tup)."""
    sequences: dict[str, str] = field(default_factory=dict)
    """The sequence behind each serial or identity column (column -> sequence name)."""
    definition: tuple[str, str] | None = None
    """A view's query as pg_get_viewdef prints it: (plain, pretty)."""
    identities: dict[str, str] = field(default_factory=dict)
    """Identity columns (not serials): column -> pg_attribute.attidentity ('a' ALWAYS, 'd' BY DEFAULT)."""
    updatable: bool = True
    """A table, or an automatically updatable view (INSERT, UPDATE and DELETE go to its table)."""
    check_option: str = "NONE"
    """A view's WITH CHECK OPTION: NONE, LOCAL or CASCADED."""
    sequence_steps: dict[str, tuple[int, int]] = field(default_factory=dict)
    """A serial or identity column's sequence's START and INCREMENT, where not 1 and 1."""
    generated: dict[str, str] = field(default_factory=dict)
    """Generated columns: column -> the expression as stored."""
    primary_key_name: str = ""
    """The primary key constraint's (and its index's) name when it is not ``<table>_pkey``: named
    by ``CONSTRAINT name PRIMARY KEY``, or kept through a rename of the table."""


PG_SEQUENCE = pa.schema(
    [
        ("seqrelid", OID),
        ("seqtypid", OID),
        ("seqstart", pa.int64()),
        ("seqincrement", pa.int64()),
        ("seqmax", pa.int64()),
        ("seqmin", pa.int64()),
        ("seqcache", pa.int64()),
        ("seqcycle", pa.bool_()),
    ]
)
"""pg_sequence: a row for the sequence of each serial and identity column."""
_SEQUENCE_MAX = {"int2": 2**15 - 1, "int4": 2**31 - 1}
"""A sequence's largest value by its column's type (int8's otherwise), as PostgreSQL sets it."""

PG_EXTENSION_OID = 3079
"""pg_extension's own OID: pg_description's classoid for an extension's comment."""
PG_CLASS_OID = 1259
"""pg_class's own OID: pg_description's classoid for comments on relations and their columns."""
CATALOG_OIDS = {"pg_class": PG_CLASS_OID, "pg_extension": PG_EXTENSION_OID}
"""The catalogs obj_description(oid, catalog) reads comments of, by name."""
TABLE_OIDS = {
    "pg_type": 1247,
    "pg_attribute": 1249,
    "pg_proc": 1255,
    "pg_class": PG_CLASS_OID,
    "pg_am": 2601,
    "pg_attrdef": 2604,
    "pg_constraint": 2606,
    "pg_depend": 2608,
    "pg_description": 2609,
    "pg_index": 2610,
    "pg_namespace": 2615,
    "pg_opclass": 2616,
    "pg_rewrite": 2618,
    "pg_trigger": 2620,
    "pg_opfamily": 2753,
    "pg_extension": PG_EXTENSION_OID,
    "pg_policy": 3256,
}
"""Each catalog's own OID: the ``tableoid`` of its rows (psql's ``\\dd`` reads it)."""


def relation_oid(name: str, kind: str = "r") -> int:
    """A stable OID for a user relation (or its index: kind 'i')."""
    return 16385 + zlib.crc32(f"{kind}:{name}".encode()) % 2_000_000_000


def _table(columns: dict[str, tuple[pa.DataType | pa.Field, list[Any]]]) -> pa.Table:
    fields = [
        kind.with_name(name) if isinstance(kind, pa.Field) else pa.field(name, kind)
        for name, (kind, _) in columns.items()
    ]
    return pa.Table.from_arrays(
        [pa.array(values, f.type) for f, (_, values) in zip(fields, columns.values())], schema=pa.schema(fields)
    )


_EXTERNAL_STORAGE = frozenset({VECTOR_OID, HALFVEC_OID, SPARSEVEC_OID})
"""pgvector stores its types out of line, uncompressed (``STORAGE = external``)."""
NUMERIC_OID = 1700


def _storage(t: PgType) -> str:
    """attstorage as PostgreSQL gives each type: plain for fixed-length values, main for numeric,
    external for vectors, extended for every other variable-length one."""
    if t.oid in _EXTERNAL_STORAGE:
        return "e"
    if t.oid == NUMERIC_OID:
        return "m"
    return "p" if t.length != -1 else "x"


def _index_name(table: str, index: Any) -> str:
    return getattr(index, "name", None) or (index.get("name") if isinstance(index, dict) else str(index))


def _index_columns(index: Any) -> list[str]:
    cols = getattr(index, "columns", None)
    if cols is None and isinstance(index, dict):
        cols = index.get("columns") or [index.get("column")]
    if cols is None:
        col = getattr(index, "column", None)
        cols = [col] if col else []
    return [c for c in cols if c]


def _sort_options(index: Any, count: int) -> list[int]:
    """pg_index.indoption: each key's DESC (1) and NULLS FIRST (2), as the index was created."""
    options = index.get("options") if isinstance(index, dict) else None
    return list(options) if options else [0] * count


def _sorted_key(column: str, option: int) -> str:
    """A key with its order as pg_get_indexdef prints it: an operator expression in the parentheses
    CREATE INDEX asks for (``((n + 1))``), NULLS only where it is not the default (last ascending,
    first descending)."""
    if column.startswith("("):
        column = f"({column})"
    if option & 1:
        return f"{column} DESC" + ("" if option & 2 else " NULLS LAST")
    return f"{column} NULLS FIRST" if option & 2 else column


def _index_keys(index: Any, columns: list[str]) -> str:
    """The key list and options of an index as pg_get_indexdef prints them: a B-tree key its order,
    a vector index its operator class and the WITH options it was created with."""
    opclass = _opclass(index)
    if opclass is None:
        options = _sort_options(index, len(columns))
        return f"({', '.join(_sorted_key(c, o) for c, o in zip(columns, options))})"
    options = ", ".join(f"{key}='{value}'" for key, value in (index.get("params") or {}).items())
    return f"({', '.join(columns)} {opclass})" + (f" WITH ({options})" if options else "")


def _default_opclass(type_oid: int) -> str | None:
    """The name of a type's default operator class, as PostgreSQL names it (``int4_ops``; varchar
    uses text's, arrays ``array_ops``)."""
    t = BY_OID.get(type_oid)
    if t is None:
        return None
    if t.element:
        return "array_ops"
    return "text_ops" if t.name == "varchar" else f"{t.name}_ops"


def _opclass(index: Any) -> str | None:
    """The operator class an index was created with: pgvector's, or one named at creation
    (``jsonb_path_ops``); None for the type's default."""
    if isinstance(index, dict) and index.get("opclass"):
        return index["opclass"]
    metric = index.get("metric") if isinstance(index, dict) else None
    return next((name for name, served in OPCLASSES.items() if served == metric), None)


def _index_method(index: Any) -> str:
    method = getattr(index, "method", None) or (index.get("method") if isinstance(index, dict) else None)
    return method if method in AM else "hnsw"


def build(
    tables: Iterable[TableInfo],
    *,
    database: str,
    user: str,
    settings: dict[str, str],
    extensions: Mapping[str, str] | None = None,
    types: Mapping[str, list[str]] | None = None,
    sequences: Mapping[str, dict] | None = None,
) -> dict[str, pa.Table]:
    """Every pg_catalog / information_schema relation, keyed by qualified name; ``extensions`` are
    those the branch installed (name -> version), ``types`` its enum types (name -> labels),
    ``sequences`` its standalone sequences (name -> definition)."""
    extension_rows = installed(extensions or {})
    enums = enum_key(types or {})
    tables = sorted(tables, key=lambda t: t.name)
    classes: dict[str, list] = {
        k: []
        for k in (
            "oid",
            "relname",
            "relnamespace",
            "relkind",
            "relowner",
            "relam",
            "reltuples",
            "relhasindex",
            "relpersistence",
            "relchecks",
            "relhastriggers",
            "relrowsecurity",
            "relforcerowsecurity",
            "relispartition",
            "reltablespace",
            "reloftype",
            "relhasrules",
            "relhassubclass",
            "relnatts",
            "relreplident",
            "relacl",
            "reloptions",
            "relpartbound",
            "reltoastrelid",
            "relpages",
            "relallvisible",
            "relisshared",
            "relfilenode",
            "reltype",
        )
    }
    attrs: dict[str, list] = {
        k: []
        for k in (
            "attrelid",
            "attname",
            "atttypid",
            "atttypmod",
            "attnum",
            "attlen",
            "attnotnull",
            "atthasdef",
            "attisdropped",
            "attidentity",
            "attgenerated",
            "attcollation",
            "attstorage",
            "attcompression",
            "attstattarget",
            "attacl",
            "attndims",
        )
    }
    defaults: dict[str, list] = {k: [] for k in ("oid", "adrelid", "adnum", "adbin")}
    index_rows: dict[str, list] = {
        k: []
        for k in (
            "indexrelid",
            "indrelid",
            "indnatts",
            "indnkeyatts",
            "indisunique",
            "indisprimary",
            "indisclustered",
            "indisvalid",
            "indisreplident",
            "indkey",
            "indexprs",
            "indpred",
            "indnullsnotdistinct",
            "indisexclusion",
            "indimmediate",
            "indcollation",
            "indclass",
            "indoption",
        )
    }
    constraints: dict[str, list] = {
        k: []
        for k in (
            "oid",
            "conname",
            "connamespace",
            "contype",
            "conrelid",
            "conindid",
            "conkey",
            "confrelid",
            "confkey",
            "condeferrable",
            "condeferred",
            "convalidated",
            "conislocal",
            "coninhcount",
            "connoinherit",
            "conparentid",
            "contypid",
            "confupdtype",
            "confdeltype",
            "confmatchtype",
            "condef",
            "condef_pretty",
        )
    }
    indexdefs: dict[str, list] = {"oid": [], "def": [], "keys": []}
    pg_indexes: dict[str, list] = {k: [] for k in ("schemaname", "tablename", "indexname", "tablespace", "indexdef")}
    info_columns: dict[str, list] = {
        k: []
        for k in (
            "table_catalog",
            "table_schema",
            "table_name",
            "column_name",
            "ordinal_position",
            "column_default",
            "is_nullable",
            "data_type",
            "character_maximum_length",
            "numeric_precision",
            "numeric_precision_radix",
            "numeric_scale",
            "udt_name",
            "udt_catalog",
            "udt_schema",
            "is_identity",
            "identity_generation",
            "is_generated",
            "generation_expression",
            "is_updatable",
            "dtd_identifier",
        )
    }

    referenced = {c.get("ref_table") for t in tables for c in t.constraints if c.get("type") == "f"}

    def add_class(oid, name, kind, natts, has_index=False, am=0, checks=0, triggers=False):
        for key, value in (
            ("oid", oid),
            ("relname", name),
            ("relnamespace", NAMESPACES["public"]),
            ("relkind", kind),
            ("relowner", USER_OID),
            ("relam", am),
            ("reltuples", -1.0),
            ("relhasindex", has_index),
            ("relpersistence", "p"),
            ("relchecks", checks),
            ("relhastriggers", triggers),
            ("relrowsecurity", False),
            ("relforcerowsecurity", False),
            ("relispartition", False),
            ("reltablespace", 0),
            ("reloftype", 0),
            ("relhasrules", False),
            ("relhassubclass", False),
            ("relnatts", natts),
            ("relreplident", "d"),
            ("relacl", None),
            ("reloptions", None),
            ("relpartbound", None),
            ("reltoastrelid", 0),
            ("relpages", 0),
            ("relallvisible", 0),
            ("relisshared", False),
            ("relfilenode", oid),
            ("reltype", 0),
        ):
            classes[key].append(value)

    all_positions = {t.name: {f.name: i + 1 for i, f in enumerate(t.schema)} for t in tables}

    def add_constraint(name, kind, rel, index_oid, keys, definition, spec: dict | None = None, pretty=None):
        spec = spec or {}
        referenced = spec.get("ref_table")
        foreign = kind == "f"
        for key, value in (
            ("oid", relation_oid(name, "c")),
            ("conname", name),
            ("connamespace", NAMESPACES["public"]),
            ("contype", kind),
            ("conrelid", rel),
            ("conindid", index_oid),
            ("conkey", keys),
            ("confrelid", relation_oid(referenced) if foreign else 0),
            (
                "confkey",
                [all_positions.get(referenced, {}).get(c, 0) for c in spec["ref_columns"]] if foreign else None,
            ),
            ("condeferrable", bool(spec.get("deferrable"))),
            ("condeferred", bool(spec.get("deferred"))),
            ("convalidated", spec.get("validated", True) is not False),
            ("conislocal", True),
            ("coninhcount", 0),
            ("connoinherit", kind == "p"),
            ("conparentid", 0),
            ("contypid", 0),
            ("confupdtype", spec.get("on_update", "a") if foreign else " "),
            ("confdeltype", spec.get("on_delete", "a") if foreign else " "),
            ("confmatchtype", spec.get("match", "s") if foreign else " "),
            ("condef", definition),
            ("condef_pretty", definition if pretty is None else pretty),
        ):
            constraints[key].append(value)

    opclasses: dict[tuple[str, str], tuple[int, bool, int]] = {
        (method, name): (oid, default, VECTOR_OID) for oid, method, name, default in VECTOR_OPCLASSES
    }  # (access method, name) -> (oid, whether the type's default, input type)

    def opclass_of(index: Any, method: str, column: str, position: int) -> int:
        """pg_index.indclass for one key: the class named at creation (the first key's), else the
        type's default; 0 for an expression, whose type is not known here."""
        type_oid = column_oids.get(column)
        named = _opclass(index) if position == 0 else None
        name = named or (None if type_oid is None else _default_opclass(type_oid))
        if name is None:
            return 0
        if (method, name) not in opclasses:
            oid = relation_oid(f"{method}:{name}", "o")
            opclasses[(method, name)] = (oid, named is None, type_oid or 0)
        return opclasses[(method, name)][0]

    descriptions: dict[str, list] = {"objoid": [], "classoid": [], "objsubid": [], "description": []}
    sequence_rows: dict[str, list] = {name: [] for name in PG_SEQUENCE.names}
    sequence_names: list[str] = []  # beside sequence_rows, for information_schema.sequences
    for name, spec in sorted((sequences or {}).items()):  # CREATE SEQUENCE's, each a relation (psql's \ds)
        add_class(relation_oid(name, "S"), name, "S", 3)
        sequence_names.append(name)
        facts = (BY_NAME[spec["type"]].oid, spec["start"], spec["increment"], spec["maxvalue"], spec["minvalue"], 1)
        for key, value in zip(sequence_rows, (relation_oid(name, "S"), *facts, spec["cycle"])):
            sequence_rows[key].append(value)
    for extension, _ in extension_rows:
        for key, value in zip(descriptions, (extension.oid, PG_EXTENSION_OID, 0, extension.comment)):
            descriptions[key].append(value)
    for info in tables:
        rel = relation_oid(info.name)
        positions = {f.name: i + 1 for i, f in enumerate(info.schema)}
        for target, text in sorted(info.comments.items()):
            if target and target not in positions:
                continue  # a dropped column's comment goes with it
            for key, value in zip(descriptions, (rel, PG_CLASS_OID, positions.get(target, 0), text)):
                descriptions[key].append(value)
        indexes = list(info.indexes or [])
        add_class(
            rel,
            info.name,
            info.kind,
            len(info.schema),
            bool(info.primary_key or indexes),
            0 if info.kind == "v" else AM["heap"][0],
            sum(c.get("type") == "c" for c in info.constraints),  # psql lists CHECKs only when there are some
            # PostgreSQL enforces a foreign key by triggers on both tables; psql lists keys only then
            info.name in referenced or any(c.get("type") == "f" for c in info.constraints),
        )
        for column, sequence in sorted(info.sequences.items(), key=lambda item: item[1]):
            add_class(relation_oid(sequence, "S"), sequence, "S", 3)  # a relation of its own (psql's \ds)
            sequence_names.append(sequence)
            sequence_type = column_type(info.schema.field(column), False)
            start, increment = info.sequence_steps.get(column, (1, 1))
            for key, value in zip(
                sequence_rows,
                (
                    relation_oid(sequence, "S"),
                    sequence_type.oid,
                    start,
                    increment,
                    _SEQUENCE_MAX.get(sequence_type.name, 2**63 - 1),
                    1,
                    1,
                    False,
                ),
            ):
                sequence_rows[key].append(value)
        column_types = {f.name: column_type_name(f, f.name in info.max_length) for f in info.schema}
        column_oids: dict[str, int] = {}
        for f in info.schema:
            num = positions[f.name]
            length = info.max_length.get(f.name)
            pg_type = column_type(f, length is not None)
            oid = column_oids[f.name] = pg_type.oid
            # a view's columns are never NOT NULL in PostgreSQL's catalog, whatever they read
            not_null = info.kind != "v" and (f.name in info.not_null or f.name in info.primary_key or not f.nullable)
            generation = info.generated.get(f.name)
            if generation is not None:  # kept in pg_attrdef as a default is, as PostgreSQL prints it
                generation = check_text(generation, column_types.get, pretty=False)
            default = info.defaults.get(f.name)
            for key, value in (
                ("attrelid", rel),
                ("attname", f.name),
                ("atttypid", oid),
                ("atttypmod", length + 4 if length is not None else typmod_for_field(f)),
                ("attnum", num),
                ("attlen", pg_type.length),
                ("attnotnull", not_null),
                ("atthasdef", default is not None or generation is not None),
                ("attisdropped", False),
                ("attidentity", info.identities.get(f.name, "")),
                ("attgenerated", "s" if generation is not None else ""),
                ("attcollation", 0),
                ("attstorage", _storage(pg_type)),
                ("attcompression", ""),
                ("attstattarget", -1),
                ("attacl", None),  # no column privileges: rights are per branch (engine.rights)
                ("attndims", 0),
            ):
                attrs[key].append(value)
            if default is not None or generation is not None:
                for key, value in (
                    ("oid", relation_oid(f"{info.name}.{f.name}", "d")),
                    ("adrelid", rel),
                    ("adnum", num),
                    ("adbin", default if generation is None else generation),
                ):
                    defaults[key].append(value)
            precision, radix, scale = _numeric_facts(f, pg_type.name)
            for key, value in (
                ("table_catalog", database),
                ("table_schema", "public"),
                ("table_name", info.name),
                ("column_name", f.name),
                ("ordinal_position", num),
                ("column_default", None if f.name in info.identities else default),
                ("is_nullable", "NO" if not_null else "YES"),
                ("data_type", _data_type(pg_type)),
                ("character_maximum_length", length),
                ("numeric_precision", precision),
                ("numeric_precision_radix", radix),
                ("numeric_scale", scale),
                ("udt_name", pg_type.name),
                ("udt_catalog", database),
                ("udt_schema", pg_type.namespace),
                ("is_identity", "YES" if f.name in info.identities else "NO"),
                ("identity_generation", {"a": "ALWAYS", "d": "BY DEFAULT"}.get(info.identities.get(f.name, ""))),
                ("is_generated", "NEVER" if generation is None else "ALWAYS"),
                ("generation_expression", generation),
                ("is_updatable", "YES"),
                ("dtd_identifier", str(num)),
            ):
                info_columns[key].append(value)

        entries = []
        if info.primary_key:
            entries.append((info.primary_key_name or f"{info.name}_pkey", info.primary_key, "btree", True, True, None))
        for constraint in info.constraints:
            if constraint.get("type") == "u":  # PostgreSQL backs a UNIQUE constraint with an index of its name
                entries.append((constraint["name"], list(constraint["columns"]), "btree", True, False, None))
        for index in indexes:
            unique = bool(index.get("unique")) if isinstance(index, dict) else False
            entries.append(
                (_index_name(info.name, index), _index_columns(index), _index_method(index), unique, False, index)
            )
        for constraint in info.constraints:
            if constraint.get("type") in ("c", "f"):
                keys = [positions.get(c, 0) for c in constraint.get("columns") or []]
                type_of = column_types.get
                add_constraint(
                    constraint["name"],
                    constraint["type"],
                    rel,
                    0,
                    keys,
                    constraint_definition(constraint, type_of),
                    constraint,
                    constraint_definition(constraint, type_of, pretty=True),
                )
        for name, cols, method, unique, primary, index in entries:
            ioid = relation_oid(name, "i")
            keys = [positions.get(c, 0) for c in cols]
            add_class(ioid, name, "i", len(cols), False, AM[method][0])
            for key, value in (
                ("indexrelid", ioid),
                ("indrelid", rel),
                ("indnatts", len(cols)),
                ("indnkeyatts", len(cols)),
                ("indisunique", unique),
                ("indisprimary", primary),
                ("indisclustered", False),
                ("indisvalid", True),
                ("indisreplident", False),
                ("indkey", keys),
                ("indexprs", None),
                ("indpred", None),
                ("indnullsnotdistinct", False),
                ("indisexclusion", False),
                ("indimmediate", True),
                ("indcollation", [0] * len(cols)),
                ("indclass", [opclass_of(index, method, column, n) for n, column in enumerate(cols)]),
                ("indoption", _sort_options(index, len(cols))),
            ):
                index_rows[key].append(value)
            quoted = ", ".join(cols)
            definition = (
                f"CREATE {'UNIQUE ' if unique else ''}INDEX {name} ON public.{info.name} "
                f"USING {method} {_index_keys(index, cols)}"
            )
            indexdefs["oid"].append(ioid)
            indexdefs["def"].append(definition)
            indexdefs["keys"].append(cols)
            for key, value in (
                ("schemaname", "public"),
                ("tablename", info.name),
                ("indexname", name),
                ("tablespace", None),
                ("indexdef", definition),
            ):
                pg_indexes[key].append(value)
            if primary or (unique and index is None):
                add_constraint(
                    name,
                    "p" if primary else "u",
                    rel,
                    ioid,
                    keys,
                    f"{'PRIMARY KEY' if primary else 'UNIQUE'} ({quoted})",
                )

    out = {
        "pg_catalog.pg_namespace": _table(
            {
                "oid": (OID, list(NAMESPACES.values())),
                "nspname": (pa.string(), list(NAMESPACES)),
                "nspowner": (OID, [DATABASE_OWNER_OID if name == "public" else USER_OID for name in NAMESPACES]),
                "nspacl": (pa.string(), [None] * len(NAMESPACES)),
            }
        ),
        "pg_catalog.pg_class": _table({k: (_CLASS_TYPES.get(k, pa.string()), v) for k, v in classes.items()}),
        "pg_catalog.pg_attribute": _table({k: (_ATTR_TYPES.get(k, pa.string()), v) for k, v in attrs.items()}),
        "pg_catalog.pg_attrdef": _table(
            {
                "oid": (OID, defaults["oid"]),
                "adrelid": (OID, defaults["adrelid"]),
                "adnum": (pa.int16(), defaults["adnum"]),
                "adbin": (pa.string(), defaults["adbin"]),
            }
        ),
        "pg_catalog.pg_sequence": pa.table(sequence_rows, schema=PG_SEQUENCE),
        "information_schema.sequences": _information_schema_sequences(sequence_names, sequence_rows, database),
        "pg_catalog.pg_index": _table({k: (_INDEX_TYPES.get(k, pa.bool_()), v) for k, v in index_rows.items()}),
        "pg_catalog.pg_constraint": _table(
            {k: (_CONSTRAINT_TYPES.get(k, pa.bool_()), v) for k, v in constraints.items()}
        ),
        "pg_catalog.pg_type": _types_table(enums),
        "pg_catalog.pg_enum": _enum_table(enums),
        "pg_catalog.pg_am": _table(
            {
                "oid": (OID, [v[0] for v in AM.values()]),
                "amname": (pa.string(), list(AM)),
                "amtype": (pa.string(), [v[1] for v in AM.values()]),
            }
        ),
        "pg_catalog.pg_opclass": _opclass_table(opclasses),
        "pg_catalog.pg_database": _table(
            {
                "oid": (OID, [DATABASE_OID]),
                "datname": (pa.string(), [database]),
                "datdba": (OID, [USER_OID]),
                "encoding": (pa.int32(), [6]),
                "datlocprovider": (pa.string(), ["c"]),
                "datistemplate": (pa.bool_(), [False]),
                "datallowconn": (pa.bool_(), [True]),
                "datconnlimit": (pa.int32(), [-1]),
                "datcollate": (pa.string(), ["C.UTF-8"]),
                "datctype": (pa.string(), ["C.UTF-8"]),
                "daticulocale": (pa.string(), [None]),
                "daticurules": (pa.string(), [None]),
                "datacl": (pa.list_(pa.string()), [None]),
                "dattablespace": (OID, [1663]),
            }
        ),
        "pg_catalog.pg_roles": _roles_table(user),
        "pg_catalog.pg_user": _table(
            {
                "usename": (pa.string(), [user]),
                "usesysid": (OID, [USER_OID]),
                "usecreatedb": (pa.bool_(), [False]),
                "usesuper": (pa.bool_(), [False]),
                "userepl": (pa.bool_(), [False]),
                "usebypassrls": (pa.bool_(), [False]),
                "passwd": (pa.string(), ["********"]),
                "valuntil": (pa.timestamp("us", "UTC"), [None]),
                "useconfig": (pa.list_(pa.string()), [None]),
            }
        ),
        "pg_catalog.pg_auth_members": _table(
            {"roleid": (OID, []), "member": (OID, []), "grantor": (OID, []), "admin_option": (pa.bool_(), [])}
        ),
        "pg_catalog.pg_description": _table(
            {
                "objoid": (OID, descriptions["objoid"]),
                "classoid": (OID, descriptions["classoid"]),
                "objsubid": (pa.int32(), descriptions["objsubid"]),
                "description": (pa.string(), descriptions["description"]),
            }
        ),
        "pg_catalog.pg_settings": _table(
            {
                "name": (pa.string(), list(settings)),
                "setting": (pa.string(), [str(v) for v in settings.values()]),
                "unit": (pa.string(), [None] * len(settings)),
                "category": (pa.string(), [""] * len(settings)),
                "short_desc": (pa.string(), [""] * len(settings)),
                "context": (pa.string(), ["user"] * len(settings)),
                "vartype": (pa.string(), ["string"] * len(settings)),
                "source": (pa.string(), ["default"] * len(settings)),
                "min_val": (pa.string(), [None] * len(settings)),
                "max_val": (pa.string(), [None] * len(settings)),
            }
        ),
        "pg_catalog.pg_inherits": _table(
            {
                "inhrelid": (OID, []),
                "inhparent": (OID, []),
                "inhseqno": (pa.int32(), []),
                "inhdetachpending": (pa.bool_(), []),
            }
        ),
        "pg_catalog.pg_tablespace": _table(
            {
                "oid": (OID, [1663, 1664]),
                "spcname": (pa.string(), ["pg_default", "pg_global"]),
                "spcowner": (OID, [USER_OID, USER_OID]),
                "spcacl": (pa.list_(pa.string()), [None, None]),
                "spcoptions": (pa.list_(pa.string()), [None, None]),
            }
        ),
        "_indexdefs": _table(
            {
                "oid": (OID, indexdefs["oid"]),
                "def": (pa.string(), indexdefs["def"]),
                "keys": (pa.list_(pa.string()), indexdefs["keys"]),
            }
        ),
        "pg_catalog.pg_indexes": _table({k: (pa.string(), v) for k, v in pg_indexes.items()}),
        "pg_catalog.pg_extension": _table(
            {
                "oid": (OID, [e.oid for e, _ in extension_rows]),
                "extname": (pa.string(), [e.name for e, _ in extension_rows]),
                "extowner": (OID, [USER_OID] * len(extension_rows)),
                "extnamespace": (OID, [NAMESPACES[e.schema] for e, _ in extension_rows]),
                "extrelocatable": (pa.bool_(), [e.relocatable for e, _ in extension_rows]),
                "extversion": (pa.string(), [version for _, version in extension_rows]),
                "extconfig": (pa.list_(OID), [None] * len(extension_rows)),
                "extcondition": (pa.list_(pa.string()), [None] * len(extension_rows)),
            }
        ),
        "information_schema.tables": _information_schema_tables(tables, database),
        "information_schema.views": _information_schema_views([t for t in tables if t.kind == "v"], database),
        "information_schema.schemata": _table(
            {
                "catalog_name": (pa.string(), [database] * len(NAMESPACES)),
                "schema_name": (pa.string(), list(NAMESPACES)),
                "schema_owner": (pa.string(), ["pg_database_owner" if n == "public" else user for n in NAMESPACES]),
                **{
                    k: (pa.string(), [None] * len(NAMESPACES))
                    for k in (
                        "default_character_set_catalog",
                        "default_character_set_schema",
                        "default_character_set_name",
                        "sql_path",
                    )
                },
            }
        ),
        **_relation_views([t for t in tables if t.kind == "r"], [t for t in tables if t.kind == "v"], user),
        "information_schema.columns": _table(
            {k: (_INFO_COLUMN_TYPES.get(k, pa.string()), v) for k, v in info_columns.items()}
        ),
    }
    out.update(constraint_views(constraints, classes, attrs, database, NAMESPACES["public"]))
    for name, schema in _EMPTY_SCHEMAS.items():
        out[f"pg_catalog.{name}"] = schema.empty_table()
    out["pg_catalog.pg_cursors"] = PG_CURSORS.empty_table()  # the engine puts a session's cursors in
    return out


def _opclass_table(opclasses: dict[tuple[str, str], tuple[int, bool, int]]) -> pa.Table:
    """pg_opclass: pgvector's classes (in public) and the built-in ones this branch's indexes use."""
    rows = sorted((oid, method, name, default, intype) for (method, name), (oid, default, intype) in opclasses.items())
    vector = {c[0] for c in VECTOR_OPCLASSES}
    return _table(
        {
            "oid": (OID, [r[0] for r in rows]),
            "opcmethod": (OID, [AM[r[1]][0] for r in rows]),
            "opcname": (pa.string(), [r[2] for r in rows]),
            "opcnamespace": (OID, [NAMESPACES["public" if r[0] in vector else "pg_catalog"] for r in rows]),
            "opcowner": (OID, [USER_OID] * len(rows)),
            "opcfamily": (OID, [r[0] for r in rows]),
            "opcintype": (OID, [r[4] for r in rows]),
            "opcdefault": (pa.bool_(), [r[3] for r in rows]),
            "opckeytype": (OID, [0] * len(rows)),
        }
    )


_BINARY_PRECISION = {"int2": 16, "int4": 32, "int8": 64, "float4": 24, "float8": 53}
"""information_schema.columns.numeric_precision of the binary number types, in bits."""


def _numeric_facts(f: pa.Field, type_name: str) -> tuple[int | None, int | None, int | None]:
    """information_schema.columns' numeric_precision, numeric_precision_radix and numeric_scale: bits
    for the integer and float types (scale 0 for integers), decimal digits for numeric(p, s), and
    only the radix for an unconstrained numeric; NULLs for other types."""
    if type_name in _BINARY_PRECISION:
        return _BINARY_PRECISION[type_name], 2, 0 if type_name.startswith("int") else None
    if type_name != "numeric":
        return None, None, None
    if is_unconstrained_numeric(f) or not pa.types.is_decimal(f.type):
        return None, 10, None
    return f.type.precision, 10, f.type.scale


_SEQUENCE_PRECISION = {"int2": 16, "int4": 32, "int8": 64}


def _yes_no(flags: list[bool]) -> list[str]:
    return ["YES" if flag else "NO" for flag in flags]


def _information_schema_tables(tables: list[TableInfo], database: str) -> pa.Table:
    """information_schema.tables: every table and view, as PostgreSQL lists them for their owner."""
    n = len(tables)
    return _table(
        {
            "table_catalog": (pa.string(), [database] * n),
            "table_schema": (pa.string(), ["public"] * n),
            "table_name": (pa.string(), [t.name for t in tables]),
            "table_type": (pa.string(), ["VIEW" if t.kind == "v" else "BASE TABLE" for t in tables]),
            **{
                k: (pa.string(), [None] * n)
                for k in (
                    "self_referencing_column_name",
                    "reference_generation",
                    "user_defined_type_catalog",
                    "user_defined_type_schema",
                    "user_defined_type_name",
                )
            },
            "is_insertable_into": (pa.string(), _yes_no([t.updatable for t in tables])),
            "is_typed": (pa.string(), ["NO"] * n),
            "commit_action": (pa.string(), [None] * n),
        }
    )


def _information_schema_views(views: list[TableInfo], database: str) -> pa.Table:
    """information_schema.views: each view's query, CHECK OPTION and whether it is automatically
    updatable (no view has triggers here)."""
    n = len(views)
    updatable = _yes_no([v.updatable for v in views])
    return _table(
        {
            "table_catalog": (pa.string(), [database] * n),
            "table_schema": (pa.string(), ["public"] * n),
            "table_name": (pa.string(), [v.name for v in views]),
            "view_definition": (pa.string(), [v.definition[0] if v.definition else None for v in views]),
            "check_option": (pa.string(), [v.check_option for v in views]),
            "is_updatable": (pa.string(), updatable),
            "is_insertable_into": (pa.string(), updatable),
            **{
                k: (pa.string(), ["NO"] * n)
                for k in ("is_trigger_updatable", "is_trigger_deletable", "is_trigger_insertable_into")
            },
        }
    )


def _information_schema_sequences(names: list[str], rows: dict[str, list], database: str) -> pa.Table:
    """information_schema.sequences: each sequence, serial ones too, its bounds as text."""
    kinds = [BY_OID[oid].name for oid in rows["seqtypid"]]
    n = len(names)
    return _table(
        {
            "sequence_catalog": (pa.string(), [database] * n),
            "sequence_schema": (pa.string(), ["public"] * n),
            "sequence_name": (pa.string(), names),
            "data_type": (pa.string(), [SQL_NAMES[kind] for kind in kinds]),
            "numeric_precision": (pa.int32(), [_SEQUENCE_PRECISION[kind] for kind in kinds]),
            "numeric_precision_radix": (pa.int32(), [2] * n),
            "numeric_scale": (pa.int32(), [0] * n),
            "start_value": (pa.string(), [str(v) for v in rows["seqstart"]]),
            "minimum_value": (pa.string(), [str(v) for v in rows["seqmin"]]),
            "maximum_value": (pa.string(), [str(v) for v in rows["seqmax"]]),
            "increment": (pa.string(), [str(v) for v in rows["seqincrement"]]),
            "cycle_option": (pa.string(), ["YES" if cycle else "NO" for cycle in rows["seqcycle"]]),
        }
    )


def _relation_views(tables: list[TableInfo], views: list[TableInfo], user: str) -> dict[str, pa.Table]:
    """pg_tables, pg_views, pg_matviews (none here) and pg_stat_user_tables over the branch's relations."""
    names = [t.name for t in tables]
    n = len(tables)
    stats = {
        "relid": (OID, [relation_oid(t.name) for t in tables]),
        "schemaname": (pa.string(), ["public"] * n),
        "relname": (pa.string(), names),
    }
    # the engine keeps no scan counters and needs no vacuum: those counters are 0 and their times NULL
    for column in (
        "seq_scan",
        "seq_tup_read",
        "idx_scan",
        "idx_tup_fetch",
        "n_tup_ins",
        "n_tup_upd",
        "n_tup_del",
        "n_tup_hot_upd",
        "n_live_tup",
        "n_dead_tup",
        "n_mod_since_analyze",
        "n_ins_since_vacuum",
        "vacuum_count",
        "autovacuum_count",
        "analyze_count",
        "autoanalyze_count",
    ):
        stats[column] = (pa.int64(), [t.rows for t in tables] if column == "n_live_tup" else [0] * n)
    for column in (
        "last_seq_scan",
        "last_idx_scan",
        "last_vacuum",
        "last_autovacuum",
        "last_analyze",
        "last_autoanalyze",
    ):
        stats[column] = (pa.timestamp("us", "UTC"), [None] * n)
    return {
        "pg_catalog.pg_tables": _table(
            {
                "schemaname": (pa.string(), ["public"] * n),
                "tablename": (pa.string(), names),
                "tableowner": (pa.string(), [user] * n),
                "tablespace": (pa.string(), [None] * n),
                "hasindexes": (pa.bool_(), [bool(t.primary_key or t.indexes or t.constraints) for t in tables]),
                "hasrules": (pa.bool_(), [False] * n),
                "hastriggers": (pa.bool_(), [False] * n),
                "rowsecurity": (pa.bool_(), [False] * n),
            }
        ),
        "pg_catalog.pg_views": _table(
            {
                "schemaname": (pa.string(), ["public"] * len(views)),
                "viewname": (pa.string(), [v.name for v in views]),
                "viewowner": (pa.string(), [user] * len(views)),
                "definition": (pa.string(), [v.definition[0] if v.definition else None for v in views]),
            }
        ),
        "pg_catalog.pg_matviews": _table(
            {
                "schemaname": (pa.string(), []),
                "matviewname": (pa.string(), []),
                "matviewowner": (pa.string(), []),
                "tablespace": (pa.string(), []),
                "hasindexes": (pa.bool_(), []),
                "ispopulated": (pa.bool_(), []),
                "definition": (pa.string(), []),
            }
        ),
        "pg_catalog.pg_stat_user_tables": _table(stats),
    }


_CLASS_TYPES = {
    "oid": OID,
    "relnamespace": OID,
    "relowner": OID,
    "relam": OID,
    "reltuples": pa.float32(),
    "relhasindex": pa.bool_(),
    "relchecks": pa.int16(),
    "relhastriggers": pa.bool_(),
    "relrowsecurity": pa.bool_(),
    "relforcerowsecurity": pa.bool_(),
    "relispartition": pa.bool_(),
    "reltablespace": OID,
    "reloftype": OID,
    "relhasrules": pa.bool_(),
    "relhassubclass": pa.bool_(),
    "relnatts": pa.int16(),
    "reltoastrelid": OID,
    "relpages": pa.int32(),
    "relallvisible": pa.int32(),
    "relisshared": pa.bool_(),
    "relfilenode": OID,
    "reltype": OID,
    "relacl": pa.list_(pa.string()),
    "reloptions": pa.list_(pa.string()),
}
_ATTR_TYPES = {
    "attrelid": OID,
    "atttypid": OID,
    "atttypmod": pa.int32(),
    "attnum": pa.int16(),
    "attlen": pa.int16(),
    "attnotnull": pa.bool_(),
    "atthasdef": pa.bool_(),
    "attisdropped": pa.bool_(),
    "attcollation": OID,
    "attndims": pa.int16(),
    "attstattarget": pa.int16(),
    "attacl": pa.list_(pa.string()),
}
INT2VECTOR = pa.field("int2vector", INT2_LIST, metadata={TYPE_KEY: b"int2vector"})
OIDVECTOR = pa.field("oidvector", pa.list_(OID), metadata={TYPE_KEY: b"oidvector"})
_INDEX_TYPES = {
    "indexrelid": OID,
    "indrelid": OID,
    "indnatts": pa.int16(),
    "indnkeyatts": pa.int16(),
    "indkey": INT2VECTOR,
    "indexprs": pa.string(),
    "indpred": pa.string(),
    "indcollation": OIDVECTOR,
    "indclass": OIDVECTOR,
    "indoption": INT2VECTOR,
}
_CONSTRAINT_TYPES = {
    "oid": OID,
    "conname": pa.string(),
    "connamespace": OID,
    "contype": pa.string(),
    "confupdtype": pa.string(),
    "confdeltype": pa.string(),
    "confmatchtype": pa.string(),
    "conrelid": OID,
    "conindid": OID,
    "conkey": INT2_LIST,
    "confrelid": OID,
    "confkey": INT2_LIST,
    "coninhcount": pa.int16(),
    "conparentid": OID,
    "contypid": OID,
    "condef": pa.string(),
    "condef_pretty": pa.string(),
}
_INFO_COLUMN_TYPES = {
    "ordinal_position": pa.int32(),
    "character_maximum_length": pa.int32(),
    "numeric_precision": pa.int32(),
    "numeric_precision_radix": pa.int32(),
    "numeric_scale": pa.int32(),
}


def _data_type(t: PgType) -> str:
    """information_schema.columns.data_type: ARRAY for an array, USER-DEFINED for a type outside
    pg_catalog (an extension's or an enum), else the type's SQL name."""
    if t.element:
        return "ARRAY"
    return "USER-DEFINED" if t.namespace != "pg_catalog" else type_name(t) or "text"


def _typtype(t: PgType) -> str:
    """pg_type.typtype: p pseudo-type, e enum, b base type (arrays included)."""
    return {"X": "p", "E": "e"}.get(t.category, "b")


def _io_function(t: PgType, direction: str) -> str:
    """typinput / typoutput: array_in and enum_in are shared by every array and enum type."""
    if t.name.startswith("_") and t.element:
        return f"array_{direction}"
    return f"enum_{direction}" if t.category == "E" else t.name + direction


@functools.lru_cache(maxsize=8)
def _types_table(enums: EnumKey) -> pa.Table:
    """pg_type: the built-in types and the branch's enum types, each with its array type."""
    types = TYPES + enum_types(dict(enums))
    n = len(types)
    return _table(
        {
            "oid": (OID, [t.oid for t in types]),
            "typname": (pa.string(), [t.name for t in types]),
            "typnamespace": (OID, [NAMESPACES[t.namespace] for t in types]),
            "typowner": (OID, [USER_OID] * n),
            "typlen": (pa.int16(), [t.length for t in types]),
            "typbyval": (pa.bool_(), [0 < t.length <= 8 for t in types]),
            "typtype": (CHAR, [_typtype(t) for t in types]),
            "typcategory": (CHAR, [t.category for t in types]),
            "typisdefined": (pa.bool_(), [True] * n),
            "typdelim": (CHAR, [","] * n),
            "typrelid": (OID, [0] * n),
            "typelem": (OID, [t.element for t in types]),
            "typarray": (OID, [t.array_oid for t in types]),
            "typbasetype": (OID, [0] * n),
            "typtypmod": (pa.int32(), [-1] * n),
            "typnotnull": (pa.bool_(), [False] * n),
            "typcollation": (OID, [100 if t.category == "S" else 0 for t in types]),
            "typndims": (pa.int32(), [0] * n),
            "typdefault": (pa.string(), [None] * n),
            "typinput": (pa.string(), [_io_function(t, "in") for t in types]),
            "typoutput": (pa.string(), [_io_function(t, "out") for t in types]),
            "typacl": (pa.list_(pa.string()), [None] * n),
        }
    )


@functools.lru_cache(maxsize=8)
def _enum_table(enums: EnumKey) -> pa.Table:
    """pg_enum: one row per label, ``enumsortorder`` 1, 2, ... in the type's order (PostgreSQL's
    numbering for labels created in order; one added BEFORE another gets a fraction there, here
    the labels are renumbered, which sorts the same)."""
    rows = [(enum_oid(name), position, label) for name, labels in enums for position, label in enumerate(labels, 1)]
    return _table(
        {
            "oid": (OID, [relation_oid(f"{typid}:{label}", "e") for typid, _, label in rows]),
            "enumtypid": (OID, [typid for typid, _, _ in rows]),
            "enumsortorder": (pa.float32(), [float(position) for _, position, _ in rows]),
            "enumlabel": (pa.string(), [label for _, _, label in rows]),
        }
    )


def _roles_table(user: str) -> pa.Table:
    return _table(
        {
            "oid": (OID, [USER_OID]),
            "rolname": (pa.string(), [user]),
            "rolsuper": (pa.bool_(), [False]),
            "rolinherit": (pa.bool_(), [True]),
            "rolcreaterole": (pa.bool_(), [False]),
            "rolcreatedb": (pa.bool_(), [False]),
            "rolcanlogin": (pa.bool_(), [True]),
            "rolreplication": (pa.bool_(), [False]),
            "rolconnlimit": (pa.int32(), [-1]),
            "rolpassword": (pa.string(), ["********"]),
            "rolvaliduntil": (pa.timestamp("us", "UTC"), [None]),
            "rolbypassrls": (pa.bool_(), [False]),
            "rolconfig": (pa.list_(pa.string()), [None]),
        }
    )


PG_CURSORS = pa.schema(
    [
        ("name", pa.string()),
        ("statement", pa.string()),
        ("is_holdable", pa.bool_()),
        ("is_binary", pa.bool_()),
        ("is_scrollable", pa.bool_()),
        ("creation_time", pa.timestamp("us", tz="UTC")),
    ]
)
"""``pg_cursors``: the session's SQL cursors, registered with rows by ``engine.sql_cursors``."""

_EMPTY_SCHEMAS = {
    "pg_prepared_xacts": pa.schema(  # two-phase commit is off (max_prepared_transactions = 0)
        [
            ("transaction", pa.uint32()),
            ("gid", pa.string()),
            ("prepared", pa.timestamp("us", "UTC")),
            ("owner", pa.string()),
            ("database", pa.string()),
        ]
    ),
    "pg_trigger": pa.schema(
        [
            ("oid", OID),
            ("tgrelid", OID),
            ("tgname", pa.string()),
            ("tgisinternal", pa.bool_()),
            ("tgenabled", pa.string()),
            ("tgparentid", OID),
        ]
    ),
    "pg_policy": pa.schema(
        [
            ("oid", OID),
            ("polrelid", OID),
            ("polname", pa.string()),
            ("polcmd", pa.string()),
            ("polpermissive", pa.bool_()),
            ("polroles", pa.list_(OID)),
            ("polqual", pa.string()),
            ("polwithcheck", pa.string()),
        ]
    ),
    "pg_rewrite": pa.schema([("oid", OID), ("ev_class", OID), ("rulename", pa.string())]),
    "pg_opfamily": pa.schema(
        [("oid", OID), ("opfmethod", OID), ("opfname", pa.string()), ("opfnamespace", OID), ("opfowner", OID)]
    ),
    "pg_statistic_ext": pa.schema(
        [
            ("oid", OID),
            ("stxrelid", OID),
            ("stxname", pa.string()),
            ("stxnamespace", OID),
            ("stxkeys", INT2_LIST),
            ("stxkind", pa.list_(pa.string())),
            ("stxstattarget", pa.int32()),
        ]
    ),
    "pg_publication": pa.schema([("oid", OID), ("pubname", pa.string()), ("puballtables", pa.bool_())]),
    "pg_publication_rel": pa.schema(
        [("oid", OID), ("prpubid", OID), ("prrelid", OID), ("prqual", pa.string()), ("prattrs", INT2_LIST)]
    ),
    "pg_publication_namespace": pa.schema([("oid", OID), ("pnpubid", OID), ("pnnspid", OID)]),
    "pg_foreign_table": pa.schema([("ftrelid", OID), ("ftserver", OID)]),
    "pg_partitioned_table": pa.schema([("partrelid", OID), ("partstrat", pa.string())]),
    "pg_collation": pa.schema([("oid", OID), ("collname", pa.string()), ("collnamespace", OID)]),
    # no user-defined functions here (CREATE FUNCTION is refused), and the built-in ones are not
    # listed: empty, with PostgreSQL's columns (psql's \df and drivers' function listings read it)
    "pg_proc": pa.schema(
        [
            ("oid", OID),
            ("proname", pa.string()),
            ("pronamespace", OID),
            ("proowner", OID),
            ("prolang", OID),
            ("procost", pa.float32()),
            ("prorows", pa.float32()),
            ("provariadic", OID),
            ("prosupport", pa.string()),
            ("prokind", pa.string()),
            ("prosecdef", pa.bool_()),
            ("proleakproof", pa.bool_()),
            ("proisstrict", pa.bool_()),
            ("proretset", pa.bool_()),
            ("provolatile", pa.string()),
            ("proparallel", pa.string()),
            ("pronargs", pa.int16()),
            ("pronargdefaults", pa.int16()),
            ("prorettype", OID),
            ("proargtypes", pa.list_(OID)),
            ("proallargtypes", pa.list_(OID)),
            ("proargmodes", pa.list_(pa.string())),
            ("proargnames", pa.list_(pa.string())),
            ("proargdefaults", pa.string()),
            ("protrftypes", pa.list_(OID)),
            ("prosrc", pa.string()),
            ("probin", pa.string()),
            ("prosqlbody", pa.string()),
            ("proconfig", pa.list_(pa.string())),
            ("proacl", pa.list_(pa.string())),
        ]
    ),
    # no sequences are relations here (a serial's counter lives in the table's manifest), so nothing
    # depends on one: empty, with PostgreSQL's columns (alembic reads it to tell a serial's sequence)
    "pg_depend": pa.schema(
        [
            ("classid", OID),
            ("objid", OID),
            ("objsubid", pa.int32()),
            ("refclassid", OID),
            ("refobjid", OID),
            ("refobjsubid", pa.int32()),
            ("deptype", pa.string()),
        ]
    ),
    # no range types here: empty, with PostgreSQL's columns (asyncpg reads it)
    "pg_range": pa.schema(
        [
            ("rngtypid", OID),
            ("rngsubtype", OID),
            ("rngmultitypid", OID),
            ("rngcollation", OID),
            ("rngsubopc", OID),
            ("rngcanonical", pa.string()),
            ("rngsubdiff", pa.string()),
        ]
    ),
    # CREATE EVENT TRIGGER, CREATE CAST and CREATE OPERATOR are refused, and the built-in casts and
    # operators are not listed (as the built-in functions are not in pg_proc): empty, with
    # PostgreSQL's columns, for psql's \dy, \dC and \do and the catalog browsers that read them
    "pg_event_trigger": pa.schema(
        [
            ("oid", OID),
            ("evtname", pa.string()),
            ("evtevent", pa.string()),
            ("evtowner", OID),
            ("evtfoid", OID),
            CHAR.with_name("evtenabled"),
            ("evttags", pa.list_(pa.string())),
        ]
    ),
    "pg_cast": pa.schema(
        [
            ("oid", OID),
            ("castsource", OID),
            ("casttarget", OID),
            ("castfunc", OID),
            CHAR.with_name("castcontext"),
            CHAR.with_name("castmethod"),
        ]
    ),
    "pg_operator": pa.schema(
        [
            ("oid", OID),
            ("oprname", pa.string()),
            ("oprnamespace", OID),
            ("oprowner", OID),
            CHAR.with_name("oprkind"),
            ("oprcanmerge", pa.bool_()),
            ("oprcanhash", pa.bool_()),
            ("oprleft", OID),
            ("oprright", OID),
            ("oprresult", OID),
            ("oprcom", OID),
            ("oprnegate", OID),
            ("oprcode", OID),
            ("oprrest", OID),
            ("oprjoin", OID),
        ]
    ),
}

ALWAYS_EMPTY = frozenset(_EMPTY_SCHEMAS)
RELATIONS = ALWAYS_EMPTY | {
    "pg_namespace",
    "pg_sequence",
    "pg_class",
    "pg_attribute",
    "pg_attrdef",
    "pg_index",
    "pg_constraint",
    "pg_type",
    "pg_enum",
    "pg_am",
    "pg_database",
    "pg_roles",
    "pg_user",
    "pg_auth_members",
    "pg_description",
    "pg_settings",
    "pg_inherits",
    "pg_tablespace",
    "pg_indexes",
    "pg_extension",
    "pg_opclass",
    "pg_tables",
    "pg_views",
    "pg_matviews",
    "pg_stat_user_tables",
    "pg_cursors",
}
