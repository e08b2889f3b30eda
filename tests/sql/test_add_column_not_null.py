"""``ALTER TABLE ... ADD COLUMN c type NOT NULL`` holds c NOT NULL, as in PostgreSQL 16: rows already
there read the default, later writes of NULL fail (23502), and without a default over rows already
there the ALTER is refused (23502, the column not added). The NOT NULL was dropped silently."""

from __future__ import annotations

SETUP = [
    "CREATE TABLE tasks (id int PRIMARY KEY)",
    "INSERT INTO tasks VALUES (1)",
    "ALTER TABLE tasks ADD COLUMN active boolean NOT NULL DEFAULT true",
    "CREATE TABLE empty_tasks (id int PRIMARY KEY)",
    "ALTER TABLE empty_tasks ADD COLUMN owner text NOT NULL",
]


def test_existing_rows_read_the_default(both):
    lake, postgres = both.answers("SELECT * FROM tasks ORDER BY id")
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows) == (["id", "active"], [(1, True)])


def test_writing_null_is_refused(both):
    assert both.sqlstates("INSERT INTO tasks VALUES (2, NULL)") == ("23502", "23502")
    assert both.sqlstates("UPDATE tasks SET active = NULL") == ("23502", "23502")
    assert both.sqlstates("INSERT INTO empty_tasks (id) VALUES (1)") == ("23502", "23502")


def test_a_column_without_default_over_rows_is_refused(both):
    assert both.sqlstates("ALTER TABLE tasks ADD COLUMN due date NOT NULL") == ("23502", "23502")
    lake, postgres = both.answers(
        "SELECT column_name::text, is_nullable::text FROM information_schema.columns"
        " WHERE table_name IN ('tasks', 'empty_tasks') ORDER BY table_name, ordinal_position"
    )
    assert lake.rows == postgres.rows
