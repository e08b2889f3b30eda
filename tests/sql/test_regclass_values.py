"""regclass as PostgreSQL 16 shows and compares it: a selected regclass is its relation's name, a
quoted OID (``'16385'::regclass``, as psql writes them) is that relation, ``::oid`` its number, and
catalog calls qualified with ``pg_catalog.`` nest (psql's ``\\dt+``)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE authors (id int PRIMARY KEY, name text)",
    "CREATE TABLE books (id int PRIMARY KEY, author_id int REFERENCES authors (id))",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 'books'::regclass",
        "SELECT 'books'::regclass AS rel, 'authors'::regclass::text AS name",
        "SELECT conrelid::regclass, confrelid::regclass, conname FROM pg_constraint WHERE contype = 'f'",
        "SELECT 'books'::regclass::oid = oid FROM pg_class WHERE relname = 'books'",
        "SELECT relname FROM pg_class WHERE oid = 'books'::regclass::oid",
        "SELECT c.relname, pg_catalog.upper(pg_catalog.lower(c.relname)) FROM pg_catalog.pg_class c"
        " WHERE c.relname IN ('authors', 'books') ORDER BY 1",
        "SELECT conname FROM pg_constraint WHERE confrelid IN (SELECT pg_catalog.pg_partition_ancestors("
        "'authors'::regclass) UNION ALL VALUES ('authors'::regclass)) ORDER BY 1",
    ],
)
def test_regclass_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)
