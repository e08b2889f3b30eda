"""Columns declared varchar, varchar(n) and char(n) are reported as PostgreSQL 16 reports them, in
results (type OIDs 1043 and 1042, where a column is selected as it is), in pg_attribute and
information_schema, and after a rename, ALTER COLUMN ... TYPE and CREATE TABLE AS; a cast or an
expression of one is text; char(n) values are shown blank-padded to n, in scans and key lookups."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE people (id int PRIMARY KEY, code char(3), name varchar(20), nick varchar, bio text)",
    "INSERT INTO people VALUES (1, 'abc', 'Ann', 'a', 'x'), (2, 'de', 'Bob', NULL, 'y')",
    "CREATE TABLE copied AS SELECT * FROM people",
    "ALTER TABLE copied RENAME COLUMN nick TO handle",
    "ALTER TABLE copied ALTER COLUMN bio TYPE varchar(30)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM people ORDER BY id",
        "SELECT code, length(code) AS n, code || '|' AS joined FROM people WHERE id = 2",
        "SELECT id FROM people WHERE code = 'de'",
        "SELECT id FROM people WHERE code = 'de ' OR code IN ('abc  ')",
        "SELECT name::varchar(2) AS v, code::char(5) AS c, code::text AS t FROM people ORDER BY id",
        "SELECT name, nick, code, bio FROM people ORDER BY id",
        "SELECT p.name AS n, upper(p.name) AS u, p.name::text AS t, p.name || '!' AS e FROM people p ORDER BY id",
        "SELECT name, count(*) FROM people GROUP BY name ORDER BY name",
        "SELECT * FROM copied ORDER BY id",
    ],
)
def test_character_columns_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT column_name, data_type, character_maximum_length FROM information_schema.columns"
        " WHERE table_name = 'people' ORDER BY ordinal_position",
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
        " WHERE attrelid = 'people'::regclass AND attnum > 0 ORDER BY attnum",
        "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute"
        " WHERE attrelid = 'copied'::regclass AND attnum > 0 ORDER BY attnum",
    ],
)
def test_character_columns_in_the_catalog_as_postgres(both, sql):
    """(The catalog's ``name`` columns are sent as text: their rows are compared.)"""
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)
