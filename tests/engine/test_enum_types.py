"""Enum types through the Python API: the branch's catalog state (they persist, follow
transactions and savepoints, stay on their branch until merged), and every path that writes a
column of one checks its labels (tests/sql/test_enum_types.py compares the answers with PostgreSQL)."""

from __future__ import annotations

import pyarrow as pa
import pytest

import agentlake


def sqlstate_of(conn, sql: str) -> str:
    with pytest.raises(agentlake.Error) as caught:
        conn.execute(sql)
    return caught.value.sqlstate


@pytest.fixture
def db(repo_url):
    conn = agentlake.connect(repo_url)
    conn.execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')")
    conn.execute("CREATE TABLE person (name text PRIMARY KEY, m mood)")
    yield conn
    conn.close()


def test_types_persist_per_branch_and_merge(repo_url, db):
    db.execute("INSERT INTO person VALUES ('a', 'ok')")
    db.close()
    again = agentlake.connect(repo_url)
    assert again.execute("SELECT name FROM person WHERE m > 'sad'").fetchall() == [("a",)]
    again.execute("SELECT agentlake.branch('feature')")
    again.execute("SET agentlake.branch = 'feature'")
    again.execute("CREATE TYPE size AS ENUM ('s', 'm')")
    again.execute("ALTER TYPE mood ADD VALUE 'meh' AFTER 'sad'")
    again.execute("INSERT INTO person VALUES ('b', 'meh')")
    main = agentlake.connect(repo_url, branch="main")
    assert sqlstate_of(main, "SELECT 's'::size") == "42704"
    assert sqlstate_of(main, "INSERT INTO person VALUES ('c', 'meh')") == "22P02"
    again.merge("main")
    main = agentlake.connect(repo_url, branch="main")
    main.execute("INSERT INTO person VALUES ('c', 'meh')")
    assert main.execute("SELECT name FROM person ORDER BY m, name").fetchall() == [("b",), ("c",), ("a",)]
    assert main.execute("SELECT 's'::size").fetchone() == ("s",)


def test_types_follow_transactions_and_savepoints(db):
    db.execute("BEGIN")
    db.execute("CREATE TYPE size AS ENUM ('s')")
    db.execute("SAVEPOINT before_drop")
    db.execute("DROP TYPE mood CASCADE")
    db.execute("ROLLBACK TO SAVEPOINT before_drop")
    assert db.execute("SELECT 'ok'::mood, 's'::size").fetchone() == ("ok", "s")
    db.execute("ROLLBACK")
    assert sqlstate_of(db, "SELECT 's'::size") == "42704"
    assert db.execute("SELECT 'ok'::mood").fetchone() == ("ok",)


def test_every_write_path_checks_the_labels(db):
    db.execute("INSERT INTO person VALUES ('a', 'ok')")
    assert sqlstate_of(db, "INSERT INTO person VALUES ('b', 'angry')") == "22P02"
    assert sqlstate_of(db, "UPDATE person SET m = 'angry'") == "22P02"
    assert sqlstate_of(db, "INSERT INTO person VALUES ('a', 'sad') ON CONFLICT (name) DO UPDATE SET m = 'x'") == "22P02"
    assert sqlstate_of(db, "INSERT INTO person SELECT 'c', 'angry'") == "22P02"
    with pytest.raises(agentlake.Error) as caught:
        db.load_arrow("person", pa.table({"name": ["d"], "m": ["angry"]}))
    assert caught.value.sqlstate == "22P02"
    assert str(caught.value) == 'invalid input value for enum mood: "angry"'
    assert db.execute("SELECT name, m FROM person").fetchall() == [("a", "ok")]
