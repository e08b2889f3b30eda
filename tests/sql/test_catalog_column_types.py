"""Catalog queries on agentlake and PostgreSQL 16 give the same rows with the same column types:
pg_catalog's ``name`` and ``"char"`` columns, information_schema's identifiers (``name``) and
character data (``varchar``), the identifier functions, and information_schema.views with its
CHECK OPTION and updatability."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE cats (id int PRIMARY KEY, name text NOT NULL, lives int CHECK (lives <= 9))",
    "CREATE VIEW cat_names AS SELECT id, name FROM cats",
    "CREATE VIEW young AS SELECT id, lives FROM cats WHERE lives > 5 WITH CASCADED CHECK OPTION",
    "CREATE VIEW lives_total AS SELECT sum(lives) AS total FROM cats",
    "CREATE VIEW next_ids AS SELECT id + 1 AS next FROM cats",
]

QUERIES = [
    "SELECT relname, relkind FROM pg_class WHERE relname IN ('cats', 'cat_names') ORDER BY relname",
    "SELECT c.relname AS r, c.relkind k, n.nspname FROM pg_catalog.pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = 'cats'",
    "SELECT attname, attnotnull FROM pg_attribute WHERE attrelid = 'cats'::regclass AND attnum > 0 ORDER BY attnum",
    "SELECT conname, contype FROM pg_constraint WHERE conrelid = 'cats'::regclass ORDER BY conname",
    "SELECT tablename, indexname FROM pg_indexes WHERE tablename = 'cats'",
    "SELECT schemaname, tablename, hasindexes FROM pg_tables WHERE schemaname = 'public'",
    "SELECT viewname FROM pg_views WHERE schemaname = 'public' ORDER BY viewname",
    "SELECT typname, typtype FROM pg_type WHERE oid = 23",
    "SELECT upper(relname), relname::text AS plain FROM pg_class WHERE relname = 'cats'",
    "SELECT nspname FROM pg_namespace WHERE nspname = 'public'",
    "SELECT table_schema, table_name, table_type, is_insertable_into, is_typed, commit_action "
    "FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    "SELECT table_name, view_definition, check_option, is_updatable, is_insertable_into, is_trigger_updatable "
    "FROM information_schema.views WHERE table_schema = 'public' ORDER BY table_name",
    "SELECT column_name, data_type, is_nullable, ordinal_position FROM information_schema.columns "
    "WHERE table_name = 'cats' ORDER BY ordinal_position",
    "SELECT constraint_name, constraint_type FROM information_schema.table_constraints "
    "WHERE table_name = 'cats' AND constraint_type <> 'CHECK'",
    "SELECT current_schema(), current_schema, 'x'::name AS n",
    "SELECT 'x'::name, 'a'::\"char\", 'b'::char, 'c'::name || 'd'",
]


@pytest.mark.parametrize("sql", QUERIES)
def test_catalog_answers_and_types_match_postgresql(both, sql):
    lake, postgres = both.answers(sql)
    assert lake == postgres
