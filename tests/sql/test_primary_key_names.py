"""A primary key's constraint and index are named as PostgreSQL 16 names them: by ``CONSTRAINT
name PRIMARY KEY`` (pg_indexes showed ``<table>_pkey``), and keeping their name when the table is
renamed (it followed the new table name)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE acc (id bigserial PRIMARY KEY, email text UNIQUE)",
    "ALTER TABLE acc RENAME TO accounts",
    "CREATE TABLE named (id int, CONSTRAINT my_key PRIMARY KEY (id))",
    "ALTER TABLE named RENAME TO renamed",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT conname::text, contype::text FROM pg_constraint WHERE conrelid = 'accounts'::regclass ORDER BY 1",
        "SELECT indexname::text, indexdef FROM pg_indexes WHERE tablename = 'accounts' ORDER BY 1",
        "SELECT conname::text FROM pg_constraint WHERE conrelid = 'renamed'::regclass",
        "SELECT indexname::text, indexdef FROM pg_indexes WHERE tablename = 'renamed'",
    ],
)
def test_names_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert lake.rows == postgres.rows


def test_the_renamed_key_still_holds(both):
    both.execute("INSERT INTO accounts (id, email) VALUES (1, 'a')")
    assert both.sqlstates("INSERT INTO accounts (id, email) VALUES (1, 'b')") == ("23505", "23505")
