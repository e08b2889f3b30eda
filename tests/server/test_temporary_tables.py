"""TEMPORARY tables over a real socket, as PostgreSQL ends them: dropped when their session ends
(so the next session creates one of the same name), by DISCARD TEMP and DISCARD ALL, by ON COMMIT
DROP at commit; ON COMMIT DELETE ROWS empties the table at each commit; ON COMMIT on a permanent
table is 42P16. (Unlike PostgreSQL's, a live temporary table is visible to the branch's other
sessions: ``engine.temporary_tables``.)"""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors

import agentlake


def _exists(conn, name: str) -> bool:
    return conn.execute("SELECT count(*) FROM pg_class WHERE relname = %s", (name,)).fetchone()[0] == 1


def test_a_temporary_table_ends_with_its_session(server):
    for attempt in range(3):
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            conn.execute("CREATE TEMP TABLE scratch (id int PRIMARY KEY, note text)")
            conn.execute("INSERT INTO scratch VALUES (%s, 'x')", (attempt,))
            assert conn.execute("SELECT id FROM scratch").fetchall() == [(attempt,)]
            conn.execute("SELECT 1 AS one INTO TEMPORARY TABLE picked")
            conn.execute("CREATE TABLE IF NOT EXISTS kept (id int)")
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        assert not _exists(conn, "scratch") and not _exists(conn, "picked") and _exists(conn, "kept")


def test_the_in_process_api_drops_them_on_close(tmp_path):
    url = str(tmp_path / "repo")
    db = agentlake.connect(url, create=True)
    db.execute("CREATE TEMPORARY TABLE scratch AS SELECT 1 AS id")
    db.execute("ALTER TABLE scratch RENAME TO renamed")
    db.close()
    again = agentlake.connect(url)
    assert again.execute("SELECT count(*) FROM pg_class WHERE relname IN ('scratch', 'renamed')").fetchone() == (0,)
    again.close()


def test_on_commit_drop_and_delete_rows(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("BEGIN")
        conn.execute("CREATE TEMP TABLE dropped (id int) ON COMMIT DROP")
        conn.execute("CREATE TEMP TABLE emptied (id int) ON COMMIT DELETE ROWS")
        conn.execute("CREATE TEMP TABLE preserved (id int) ON COMMIT PRESERVE ROWS")
        for table in ("dropped", "emptied", "preserved"):
            conn.execute(f"INSERT INTO {table} VALUES (1)")
        assert conn.execute("SELECT count(*) FROM dropped").fetchone() == (1,)
        conn.execute("COMMIT")
        assert not _exists(conn, "dropped")
        assert conn.execute("SELECT count(*) FROM emptied").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM preserved").fetchone() == (1,)
        conn.execute("INSERT INTO emptied VALUES (2)")  # its own transaction: emptied as it commits
        assert conn.execute("SELECT count(*) FROM emptied").fetchone() == (0,)
        conn.execute("BEGIN")
        conn.execute("CREATE TEMP TABLE never (id int) ON COMMIT DROP")
        conn.execute("ROLLBACK")
        assert not _exists(conn, "never")
        conn.execute("BEGIN")
        conn.execute("CREATE TEMP TABLE rolled_back (id int)")
        conn.execute("ROLLBACK")
        with psycopg.connect(server.dsn(), autocommit=True) as other:
            other.execute("CREATE TABLE rolled_back (id int)")  # another session's table of that name
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        assert _exists(conn, "rolled_back")  # the rolled-back temporary one left nothing to drop


def test_discard_drops_them(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TEMP TABLE a (id int)")
        conn.execute("DISCARD TEMP")
        assert not _exists(conn, "a")
        conn.execute("CREATE TEMP TABLE b (id int)")
        conn.execute("DISCARD ALL")
        assert not _exists(conn, "b")
        conn.execute("CREATE TEMP TABLE c (id int)")
        conn.execute("BEGIN")
        conn.execute("DISCARD TEMP")
        conn.execute("ROLLBACK")  # the block's drop is undone with it
        assert _exists(conn, "c")
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        assert not _exists(conn, "c")  # still the session's: dropped when it ended


def test_on_commit_needs_a_temporary_table(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        with pytest.raises(errors.InvalidTableDefinition):
            conn.execute("CREATE TABLE p (id int) ON COMMIT DELETE ROWS")
        assert not _exists(conn, "p")
