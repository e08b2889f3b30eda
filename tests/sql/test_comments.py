"""COMMENT ON TABLE and COLUMN as PostgreSQL 16 keeps them (they were refused with 0A000): read
back by obj_description, col_description and pg_description, removed by IS NULL or '', carried
through a column rename; 42P01 and 42703 for what does not exist."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE memories (id int PRIMARY KEY, body text, score real)",
    "COMMENT ON TABLE memories IS 'what an agent remembers'",
    "COMMENT ON COLUMN memories.body IS 'the fact itself'",
    "COMMENT ON COLUMN memories.score IS 'how sure'",
    "COMMENT ON COLUMN memories.score IS ''",
    "ALTER TABLE memories RENAME COLUMN body TO fact",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT obj_description('memories'::regclass, 'pg_class'), obj_description('memories'::regclass)",
        "SELECT col_description('memories'::regclass, 1), col_description('memories'::regclass, 2),"
        " col_description('memories'::regclass, 3)",
        "SELECT d.objsubid, d.description FROM pg_description d JOIN pg_class c ON c.oid = d.objoid"
        " WHERE c.relname = 'memories' AND d.classoid = 'pg_class'::regclass ORDER BY d.objsubid",
        "SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a"
        " WHERE a.attrelid = 'memories'::regclass AND a.attnum > 0 ORDER BY a.attnum",
    ],
)
def test_comments_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)


@pytest.mark.parametrize(
    "sql, sqlstate",
    [("COMMENT ON TABLE nothing IS 'x'", "42P01"), ("COMMENT ON COLUMN memories.nothing IS 'x'", "42703")],
)
def test_comments_on_what_does_not_exist(both, sql, sqlstate):
    assert both.sqlstates(sql) == (sqlstate, sqlstate)
