"""Dropping what a view reads, as PostgreSQL 16 answers it: DROP VIEW or DROP TABLE of a relation
another view reads is 2BP01 with PostgreSQL's DETAIL (the view was left reading nothing), dropping
the dependent views in the same statement is allowed, and CASCADE drops them, however indirectly
they depend (through views and CTEs), with PostgreSQL's NOTICE."""

from __future__ import annotations

import psycopg

SETUP = [
    "CREATE TABLE p (id int PRIMARY KEY, name text, qty int)",
    "INSERT INTO p VALUES (1, 'a', 3)",
    "CREATE VIEW pv AS SELECT id, upper(name) AS uname, qty FROM p",
    "CREATE VIEW pv2 AS SELECT * FROM pv WHERE qty > 0",
    "CREATE VIEW pv3 AS WITH x AS (SELECT * FROM pv2) SELECT count(*) FROM x",
]


def _outcome(conn: psycopg.Connection, sql: str):
    notices: list[str] = []

    def noted(diagnostic) -> None:
        notices.append(diagnostic.message_primary)

    conn.add_notice_handler(noted)
    try:
        conn.execute(sql)
        return "ok", notices
    except psycopg.Error as err:
        return err.sqlstate, err.diag.message_detail
    finally:
        conn.remove_notice_handler(noted)


def test_dropping_what_views_read_as_postgres(both):
    for sql in (
        "DROP VIEW pv",
        "DROP TABLE p",
        "DROP VIEW pv2",
        "DROP VIEW pv3, pv2",
        "DROP VIEW pv CASCADE",
        "CREATE VIEW pv AS SELECT id FROM p",
        "CREATE VIEW pv4 AS SELECT * FROM pv",
        "DROP TABLE p CASCADE",
    ):
        assert _outcome(both.lake, sql) == _outcome(both.postgres, sql), sql
    assert both.sqlstates("SELECT * FROM pv4") == ("42P01", "42P01")
