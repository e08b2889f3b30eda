"""CREATE and DROP EXTENSION through the Python API: the installed extension is the branch's
catalog state (it persists, follows transactions, branches and merges, and pg_extension reports
it), with PostgreSQL's errors, notices and pgvector's dependents (tests/server/test_extensions_wire.py
compares the messages with PostgreSQL 16 + pgvector)."""

from __future__ import annotations

import pytest

import agentlake
from agentlake.engine.rights import Rights


def installed(conn) -> list[tuple]:
    return conn.execute("SELECT extname, extversion FROM pg_extension ORDER BY extname").fetchall()


def error_of(conn, sql: str) -> agentlake.Error:
    with pytest.raises(agentlake.Error) as caught:
        conn.execute(sql)
    return caught.value


@pytest.fixture
def db(repo_url):
    conn = agentlake.connect(repo_url)
    yield conn
    conn.close()


def test_a_fresh_repository_has_only_plpgsql_and_vector_types_still_work(db):
    assert installed(db) == [("plpgsql", "1.0")]
    db.execute("CREATE TABLE items (id int PRIMARY KEY, e vector(2))")  # built in, extension or not
    db.execute("INSERT INTO items VALUES (1, '[1,2]')")
    assert db.execute("SELECT e <-> '[1,2]' FROM items").fetchone() == (0.0,)


def test_create_twice_is_42710_and_if_not_exists_a_notice(db):
    db.execute("CREATE EXTENSION vector")
    assert installed(db) == [("plpgsql", "1.0"), ("vector", "0.8.2")]
    err = error_of(db, "CREATE EXTENSION vector")
    assert (err.sqlstate, str(err)) == ("42710", 'extension "vector" already exists')
    db.notices.clear()
    db.execute("CREATE EXTENSION IF NOT EXISTS vector")
    assert db.notices == ['extension "vector" already exists, skipping']
    assert (db.notices[0].severity, db.notices[0].sqlstate) == ("NOTICE", "42710")
    assert error_of(db, "CREATE EXTENSION plpgsql").sqlstate == "42710"


def test_the_extension_persists_per_branch(repo_url, db):
    db.execute("CREATE EXTENSION vector")
    db.close()
    again = agentlake.connect(repo_url)
    assert installed(again) == [("plpgsql", "1.0"), ("vector", "0.8.2")]
    again.execute("SELECT agentlake.branch('feature')")
    again.execute("SET agentlake.branch = 'feature'")
    again.execute("DROP EXTENSION vector")
    assert installed(again) == [("plpgsql", "1.0")]
    main = agentlake.connect(repo_url, branch="main")
    assert installed(main) == [("plpgsql", "1.0"), ("vector", "0.8.2")]
    again.merge("main")  # the branch dropped it: merged, main has it no more
    assert installed(agentlake.connect(repo_url, branch="main")) == [("plpgsql", "1.0")]


def test_rollback_and_savepoints_undo_it(db):
    db.execute("BEGIN")
    db.execute("CREATE EXTENSION vector")
    db.execute("SAVEPOINT s")
    db.execute("DROP EXTENSION vector")
    assert installed(db) == [("plpgsql", "1.0")]
    db.execute("ROLLBACK TO SAVEPOINT s")
    assert installed(db) == [("plpgsql", "1.0"), ("vector", "0.8.2")]
    db.execute("ROLLBACK")
    assert installed(db) == [("plpgsql", "1.0")]


def test_a_concurrent_create_on_the_same_branch_is_a_serialization_failure(repo_url, db):
    other = agentlake.connect(repo_url)
    db.execute("BEGIN")
    db.execute("CREATE EXTENSION vector")
    other.execute("CREATE EXTENSION vector")
    with pytest.raises(agentlake.Error) as caught:
        db.execute("COMMIT")
    assert caught.value.sqlstate == "40001"
    assert installed(db) == [("plpgsql", "1.0"), ("vector", "0.8.2")]


def test_drop_of_a_missing_extension(db):
    err = error_of(db, "DROP EXTENSION vector")
    assert (err.sqlstate, str(err)) == ("42704", 'extension "vector" does not exist')
    db.notices.clear()
    db.execute("DROP EXTENSION IF EXISTS vector, postgis CASCADE")
    assert db.notices == [
        'extension "vector" does not exist, skipping',
        'extension "postgis" does not exist, skipping',
    ]


def test_drop_without_cascade_lists_the_columns_that_depend_on_it(db):
    db.execute("CREATE EXTENSION vector")
    db.execute("CREATE TABLE a (id int PRIMARY KEY, e vector(3), h halfvec(2), note text)")
    db.execute("CREATE TABLE b (id int, s sparsevec(5))")
    for statement in ("DROP EXTENSION vector", "DROP EXTENSION vector RESTRICT"):
        err = error_of(db, statement)
        assert (err.sqlstate, str(err)) == ("2BP01", "cannot drop extension vector because other objects depend on it")
        assert err.detail == (
            "column h of table a depends on type halfvec\n"
            "column e of table a depends on type vector\n"
            "column s of table b depends on type sparsevec"
        )
        assert err.hint == "Use DROP ... CASCADE to drop the dependent objects too."
    assert installed(db) == [("plpgsql", "1.0"), ("vector", "0.8.2")]


def test_drop_cascade_drops_the_columns_and_their_indexes_not_the_tables(db):
    db.execute("CREATE EXTENSION vector")
    db.execute("CREATE TABLE a (id int PRIMARY KEY, e vector(2), note text)")
    db.execute("CREATE TABLE b (id int, f vector(2))")
    db.execute("INSERT INTO a VALUES (1, '[1,2]', 'kept')")
    db.execute("CREATE INDEX a_e ON a USING hnsw (e vector_l2_ops)")
    db.execute("CREATE INDEX a_note ON a (note)")
    db.notices.clear()
    db.execute("DROP EXTENSION vector CASCADE")
    assert db.notices == ["drop cascades to 2 other objects"]
    assert db.notices[0].detail == "drop cascades to column e of table a\ndrop cascades to column f of table b"
    assert installed(db) == [("plpgsql", "1.0")]
    assert db.execute("SELECT * FROM a").fetchall() == [(1, "kept")]
    assert db.execute("SELECT count(*) FROM b").fetchone() == (0,)
    assert db.execute("SELECT indexname FROM pg_indexes ORDER BY 1").fetchall() == [("a_note",), ("a_pkey",)]


def test_drop_cascade_with_one_dependent_names_it(db):
    db.execute("CREATE EXTENSION vector")
    db.execute("CREATE TABLE a (id int, e vector(2))")
    db.notices.clear()
    db.execute("DROP EXTENSION vector CASCADE")
    assert db.notices == ["drop cascades to column e of table a"]
    assert db.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'a'").fetchall() == [
        ("id",)
    ]


def test_drop_column_takes_its_indexes(db):
    db.execute("CREATE TABLE a (id int PRIMARY KEY, e vector(2), note text, n int)")
    db.execute("CREATE INDEX ON a USING hnsw (e vector_l2_ops)")
    db.execute("CREATE INDEX a_note_n ON a (note, n)")
    db.execute("CREATE INDEX a_lower ON a ((lower(note)))")
    db.execute("CREATE INDEX a_n ON a (n)")
    db.execute("ALTER TABLE a DROP COLUMN e")
    db.execute("ALTER TABLE a DROP COLUMN note")
    assert db.execute("SELECT indexname FROM pg_indexes ORDER BY 1").fetchall() == [("a_n",), ("a_pkey",)]


@pytest.mark.parametrize(
    "sql, sqlstate, message",
    [
        ("CREATE EXTENSION postgis", "0A000", 'extension "postgis" is not available'),
        ('CREATE EXTENSION "Vector"', "0A000", 'extension "Vector" is not available'),
        (
            "CREATE EXTENSION vector VERSION '0.5.0'",
            "22023",
            'extension "vector" has no installation script nor update path for version "0.5.0"',
        ),
        ("CREATE EXTENSION vector SCHEMA nope", "3F000", 'schema "nope" does not exist'),
        ("CREATE EXTENSION vector foo", "42601", 'syntax error at or near "foo"'),
        ("DROP EXTENSION vector RESTRICT CASCADE", "42601", 'syntax error at or near "CASCADE"'),
        ("DROP EXTENSION", "42601", "syntax error at end of input"),
        ("CREATE EXTENSION", "42601", "syntax error at end of input"),
        ("DROP EXTENSION plpgsql", "0A000", 'extension "plpgsql" is built in and cannot be dropped'),
    ],
)
def test_refused_forms(db, sql, sqlstate, message):
    err = error_of(db, sql)
    assert (err.sqlstate, str(err)) == (sqlstate, message)


def test_the_options_postgresql_takes(db):
    db.execute("CREATE EXTENSION IF NOT EXISTS VECTOR WITH SCHEMA public VERSION '0.8.2' CASCADE")
    assert installed(db) == [("plpgsql", "1.0"), ("vector", "0.8.2")]


def test_a_reader_may_run_create_if_not_exists_of_what_is_there_but_not_install(repo_url, db):
    db.execute("SELECT agentlake.branch('agent-1')")
    reader = agentlake.connect(repo_url, "agent-1", rights=Rights("agent", read=("main", "agent-1"), write=()))
    assert error_of(reader, "CREATE EXTENSION IF NOT EXISTS vector").sqlstate == "42501"
    db.execute("SET agentlake.branch = 'agent-1'")
    db.execute("CREATE EXTENSION vector")
    reader.execute("CREATE EXTENSION IF NOT EXISTS vector")  # nothing to do: a NOTICE, as in PostgreSQL
    reader.execute("DROP EXTENSION IF EXISTS postgis")
    assert error_of(reader, "DROP EXTENSION vector").sqlstate == "42501"
