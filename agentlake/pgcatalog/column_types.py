"""The PostgreSQL types of the catalogs' string columns that are not text: pg_catalog's ``name``
and ``"char"`` columns, information_schema's ``sql_identifier`` (a ``name``) and
``character_data`` / ``yes_or_no`` (``varchar``) ones, as PostgreSQL 16 declares them. The catalogs
are Arrow string columns; a query's result reports these types for them, as PostgreSQL's does.
"""

from __future__ import annotations

from ..sql.types import CHAR_KEY, TYPE_KEY

_NAME = {TYPE_KEY: b"name"}
_CHAR = {TYPE_KEY: b"char"}
_VARCHAR = {CHAR_KEY: b"varchar"}

PG_CATALOG_NAME_COLUMNS = frozenset(
    {
        "amname",
        "attname",
        "collname",
        "conname",
        "datname",
        "enumlabel",
        "evtevent",
        "evtname",
        "extname",
        "indexname",
        "matviewname",
        "matviewowner",
        "nspname",
        "opcname",
        "opfname",
        "oprname",
        "polname",
        "proname",
        "pubname",
        "relname",
        "rolname",
        "rulename",
        "schemaname",
        "spcname",
        "stxname",
        "tablename",
        "tableowner",
        "tablespace",
        "tgname",
        "typname",
        "usename",
        "viewname",
        "viewowner",
    }
)
PG_CATALOG_CHAR_COLUMNS = frozenset(
    {
        "amtype",
        "attcompression",
        "attgenerated",
        "attidentity",
        "attstorage",
        "castcontext",
        "castmethod",
        "confdeltype",
        "confmatchtype",
        "confupdtype",
        "contype",
        "datlocprovider",
        "deptype",
        "evtenabled",
        "oprkind",
        "partstrat",
        "polcmd",
        "prokind",
        "proparallel",
        "provolatile",
        "relkind",
        "relpersistence",
        "relreplident",
        "tgenabled",
        "typcategory",
        "typdelim",
        "typtype",
    }
)
INFORMATION_SCHEMA_NAME_COLUMNS = frozenset(
    {
        "catalog_name",
        "column_name",
        "constraint_catalog",
        "constraint_name",
        "constraint_schema",
        "default_character_set_catalog",
        "default_character_set_name",
        "default_character_set_schema",
        "dtd_identifier",
        "schema_name",
        "schema_owner",
        "self_referencing_column_name",
        "sequence_catalog",
        "sequence_name",
        "sequence_schema",
        "table_catalog",
        "table_name",
        "table_schema",
        "udt_catalog",
        "udt_name",
        "udt_schema",
        "unique_constraint_catalog",
        "unique_constraint_name",
        "unique_constraint_schema",
        "user_defined_type_catalog",
        "user_defined_type_name",
        "user_defined_type_schema",
    }
)
INFORMATION_SCHEMA_VARCHAR_COLUMNS = frozenset(
    {
        "check_clause",
        "check_option",
        "column_default",
        "commit_action",
        "constraint_type",
        "cycle_option",
        "data_type",
        "delete_rule",
        "enforced",
        "generation_expression",
        "identity_generation",
        "increment",
        "initially_deferred",
        "is_deferrable",
        "is_generated",
        "is_identity",
        "is_insertable_into",
        "is_nullable",
        "is_trigger_deletable",
        "is_trigger_insertable_into",
        "is_trigger_updatable",
        "is_typed",
        "is_updatable",
        "match_option",
        "maximum_value",
        "minimum_value",
        "nulls_distinct",
        "reference_generation",
        "sql_path",
        "start_value",
        "table_type",
        "update_rule",
        "view_definition",
    }
)


def catalog_column_metadata(schema: str, column: str) -> dict[bytes, bytes] | None:
    """The type metadata of string column ``column`` of a relation of catalog ``schema``
    (``pg_catalog`` or ``information_schema``); None for a text column."""
    if schema == "information_schema":
        if column in INFORMATION_SCHEMA_NAME_COLUMNS:
            return _NAME
        return _VARCHAR if column in INFORMATION_SCHEMA_VARCHAR_COLUMNS else None
    if column in PG_CATALOG_NAME_COLUMNS:
        return _NAME
    return _CHAR if column in PG_CATALOG_CHAR_COLUMNS else None
