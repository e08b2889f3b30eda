"""A broken constraint's error names what it broke in PostgreSQL's error fields, as PostgreSQL 16
sends them: schema, table and constraint (a foreign key's table is the referencing one), and for
NOT NULL the column with the failing row as DETAIL. Clients read ``diag.constraint_name`` to tell
which constraint a write broke; agentlake sent only the message."""

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
