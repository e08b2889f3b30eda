"""Errors' fields as PostgreSQL 16 sends them: a broken constraint names what it broke (schema,
table and constraint, a foreign key's table being the referencing one; for NOT NULL the column,
with the failing row as DETAIL); clients read ``diag.constraint_name`` to tell which constraint a
write broke, where agentlake sent only the message. A constant its type cannot read is pointed at
(the statement position psql draws its caret at)."""

from __future__ import annotations

import psycopg
import pytest

SETUP = [
    "CREATE TABLE parents (id int PRIMARY KEY, email text UNIQUE, n int NOT NULL, CONSTRAINT n_positive CHECK (n > 0))",
    "CREATE TABLE children (id int PRIMARY KEY, parent int REFERENCES parents(id))",
    "INSERT INTO parents VALUES (1, 'a', 1)",
    "INSERT INTO children VALUES (1, 1)",
]
_FIELDS = [
    "sqlstate",
    "message_primary",
    "message_detail",
    "schema_name",
    "table_name",
    "column_name",
    "constraint_name",
    "statement_position",
]


def _diagnostics(conn: psycopg.Connection, sql: str) -> dict:
    with pytest.raises(psycopg.Error) as caught:
        conn.execute(sql)
    return {name: getattr(caught.value.diag, name) for name in _FIELDS}


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO parents VALUES (1, 'b', 1)",
        "INSERT INTO parents VALUES (2, 'a', 1)",
        "INSERT INTO parents VALUES (3, 'c', NULL)",
        "UPDATE parents SET n = NULL WHERE id = 1",
        "INSERT INTO parents VALUES (4, 'd', -1)",
        "INSERT INTO children VALUES (2, 99)",
        "DELETE FROM parents WHERE id = 1",
    ],
)
def test_error_fields_as_postgres(both, sql):
    assert _diagnostics(both.lake, sql) == _diagnostics(both.postgres, sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 'x'::int",
        "SELECT '99999999999'::int",
        "SELECT 'soon'::timestamp",
        "SELECT '2024-13-01'::date",
        "SELECT 'x'::numeric",
        "SELECT '{1,x}'::int[]",
        "SELECT id FROM parents WHERE email = 'a' AND n = 'maybe'",
    ],
)
def test_a_constant_that_is_no_value_of_its_type_is_pointed_at_as_postgres(both, sql):
    """The error of a quoted constant that its type cannot read has PostgreSQL's SQLSTATE (an
    integer too big is 22003, not 22P02), message and position (psql's caret under the constant)."""
    fields = ["sqlstate", "message_primary", "statement_position"]
    lake, postgres = (_diagnostics(conn, sql) for conn in (both.lake, both.postgres))
    assert [lake[f] for f in fields] == [postgres[f] for f in fields]
