"""Names of catalog functions that the rewrite rules need to know, kept apart from their DataFusion
definitions (``functions.py``) so that loading the rules does not load DataFusion."""

from __future__ import annotations

REGCLASS_FUNCTIONS = frozenset({"pg_relation_size", "pg_table_size", "pg_total_relation_size", "pg_indexes_size"})
"""Functions of a regclass, which clients call with a name (``pg_total_relation_size('items')``)."""

# functions taking OIDs, which clients often pass quoted ('16385'); the rewrite rules unquote them
OID_FUNCTIONS = frozenset(
    {
        "pg_relation_is_publishable",
        "pg_get_indexdef",
        "pg_get_indexdef_column",
        "pg_get_constraintdef",
        "pg_get_constraintdef_pretty",
        "pg_get_viewdef",
        "pg_get_viewdef_pretty",
        "pg_get_expr",
        "pg_get_expr_pretty",
        "pg_table_is_visible",
        "pg_type_is_visible",
        "pg_function_is_visible",
        "pg_get_function_result",
        "pg_get_function_arguments",
        "pg_get_function_identity_arguments",
        "pg_tablespace_location",
        "format_type",
        "pg_get_userbyid",
        "obj_description",
        "obj_description_any",
        "col_description",
        "shobj_description",
        "pg_get_statisticsobjdef_columns",
        "pg_regclass_text",
        "pg_regtype_text",
        "pg_regnamespace_text",
        "pg_encoding_to_char",
        *REGCLASS_FUNCTIONS,
    }
)
