"""TRUNCATE's options as PostgreSQL 16 runs them: RESTART IDENTITY makes serial and identity columns
count from 1 again (it was ignored), undone by a ROLLBACK as the truncation is; a table referenced
by a foreign key is 0A000 unless the referencing table is truncated with it or CASCADE empties it
too (with its NOTICE); CONTINUE IDENTITY keeps counting."""

from __future__ import annotations

import psycopg

SETUP = [
    "CREATE TABLE parent (id serial PRIMARY KEY, v text)",
    "CREATE TABLE child (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, parent_id int REFERENCES parent(id))",
    "INSERT INTO parent (v) VALUES ('x'), ('y')",
    "INSERT INTO child (parent_id) VALUES (1), (2)",
]


def _ids_after(conn: psycopg.Connection, statements: list[str]) -> list:
    out = []
    for sql in statements:
        cur = conn.execute(sql)
        out.append(cur.fetchall() if cur.description else cur.statusmessage)
    return out


def test_truncate_options_as_postgres(both):
    statements = [
        "TRUNCATE parent, child RESTART IDENTITY",
        "INSERT INTO parent (v) VALUES ('z') RETURNING id",
        "INSERT INTO child (parent_id) VALUES (1) RETURNING id",
        "TRUNCATE child CONTINUE IDENTITY",
        "INSERT INTO child (parent_id) VALUES (1) RETURNING id",
        "BEGIN",
        "TRUNCATE parent CASCADE",
        "SELECT (SELECT count(*) FROM parent), (SELECT count(*) FROM child)",
        "ROLLBACK",
        "BEGIN",
        "TRUNCATE child RESTART IDENTITY",
        "ROLLBACK",
        "INSERT INTO child (parent_id) VALUES (1) RETURNING id",
        "SELECT (SELECT count(*) FROM parent), (SELECT count(*) FROM child)",
    ]
    lake, postgres = (_ids_after(conn, statements) for conn in (both.lake, both.postgres))
    assert lake == postgres
    assert lake[1] == [(1,)] and lake[2] == [(1,)] and lake[-2] == [(3,)]


def test_a_referenced_table_alone_is_refused(both):
    both.execute("TRUNCATE child")  # empty: PostgreSQL still refuses the parent alone
    assert both.sqlstates("TRUNCATE parent") == ("0A000", "0A000")
    assert both.sqlstates("TRUNCATE parent RESTART IDENTITY") == ("0A000", "0A000")
    assert both.answers("SELECT count(*) FROM parent")[0].rows == [(1,)]
