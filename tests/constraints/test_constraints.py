"""Constraints enforced by the catalog: at statement end, when a commit replays onto a moved
head, and at merge (conflict rows of their own kind), through the Python API."""

from __future__ import annotations

import threading

import pytest

import agentlake


@pytest.fixture
def repo_url(tmp_path):
    return str(tmp_path / "repo")


@pytest.fixture
def db(repo_url):
    return agentlake.connect(repo_url)


def fails(db, sql, sqlstate):
    with pytest.raises(agentlake.Error) as err:
        db.execute(sql)
    assert err.value.sqlstate == sqlstate, str(err.value)
    return err.value


def test_unique_check_and_primary_key_at_statement_time(db):
    db.execute("CREATE TABLE t (id int primary key, email text UNIQUE, n int CHECK (n > 0))")
    db.execute("INSERT INTO t VALUES (1, 'a@x', 1), (3, NULL, 2), (4, NULL, 3)")  # NULLs are distinct
    err = fails(db, "INSERT INTO t VALUES (2, 'a@x', 1)", "23505")
    assert str(err) == 'duplicate key value violates unique constraint "t_email_key"'
    assert err.detail == "Key (email)=(a@x) already exists."
    err = fails(db, "INSERT INTO t VALUES (2, 'b@x', -5)", "23514")
    assert str(err) == 'new row for relation "t" violates check constraint "t_n_check"'
    assert err.detail == "Failing row contains (2, b@x, -5)."
    fails(db, "INSERT INTO t VALUES (1, 'c@x', 5)", "23505")
    fails(db, "UPDATE t SET email = 'a@x' WHERE id = 3", "23505")
    db.execute("UPDATE t SET id = id + 10")  # keys move together: no transient duplicate
    assert db.execute("SELECT id FROM t ORDER BY id").fetchall() == [(11,), (13,), (14,)]


def test_table_level_and_named_constraints(db):
    db.execute(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
        "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
    )
    db.execute("INSERT INTO alembic_version VALUES ('abc')")
    err = fails(db, "INSERT INTO alembic_version VALUES ('abc')", "23505")
    assert '"alembic_version_pkc"' in str(err)
    db.execute("CREATE TABLE u (a int, b int, c int, UNIQUE (a, b), UNIQUE NULLS NOT DISTINCT (c), CHECK (a < b))")
    db.execute("INSERT INTO u VALUES (1, 2, NULL), (1, NULL, 1), (1, NULL, 2)")
    fails(db, "INSERT INTO u VALUES (1, 2, 5)", "23505")
    fails(db, "INSERT INTO u VALUES (7, 8, NULL)", "23505")  # NULLS NOT DISTINCT
    assert 'constraint "u_check"' in str(fails(db, "INSERT INTO u VALUES (5, 2, 9)", "23514"))


def test_alter_table_constraint_forms(db):
    db.execute("CREATE TABLE u (a int, b int)")
    db.execute("INSERT INTO u VALUES (1, 2), (1, 3)")
    err = fails(db, "ALTER TABLE u ADD CONSTRAINT ua UNIQUE (a)", "23505")
    assert str(err) == 'could not create unique index "ua"' and err.detail == "Key (a)=(1) is duplicated."
    db.execute("ALTER TABLE u ADD CONSTRAINT ub UNIQUE (b)")
    fails(db, "INSERT INTO u VALUES (9, 2)", "23505")
    db.execute("ALTER TABLE u DROP CONSTRAINT ub")
    db.execute("INSERT INTO u VALUES (9, 2)")
    fails(db, "ALTER TABLE u DROP CONSTRAINT ub", "42704")
    db.execute("ALTER TABLE u DROP CONSTRAINT IF EXISTS ub")
    assert (
        str(fails(db, "ALTER TABLE u ADD CHECK (b > 2)", "23514"))
        == 'check constraint "u_b_check" of relation "u" is violated by some row'
    )
    db.execute("ALTER TABLE u ADD CHECK (b > 0)")
    fails(db, "INSERT INTO u VALUES (1, -1)", "23514")
    db.execute("ALTER TABLE u ALTER COLUMN a SET NOT NULL")
    fails(db, "INSERT INTO u VALUES (NULL, 7)", "23502")
    db.execute("ALTER TABLE u ALTER COLUMN a DROP NOT NULL")
    db.execute("INSERT INTO u VALUES (NULL, 7)")
    assert (
        str(fails(db, "ALTER TABLE u ALTER COLUMN a SET NOT NULL", "23502"))
        == 'column "a" of relation "u" contains null values'
    )
    db.execute("ALTER TABLE u ALTER COLUMN b SET DEFAULT 42")
    db.execute("INSERT INTO u (a) VALUES (100)")
    assert db.execute("SELECT b FROM u WHERE a = 100").fetchall() == [(42,)]
    db.execute("ALTER TABLE u ALTER COLUMN b DROP DEFAULT")
    db.execute("INSERT INTO u (a) VALUES (101)")
    assert db.execute("SELECT b FROM u WHERE a = 101").fetchall() == [(None,)]
    db.execute("ALTER TABLE u ALTER COLUMN a TYPE bigint USING a * 10")
    assert db.execute("SELECT a FROM u WHERE b = 42").fetchall() == [(1000,)]


def test_failed_ddl_leaves_the_connection_usable_after_rollback(db):
    db.execute("CREATE TABLE u (a int)")
    db.execute("INSERT INTO u VALUES (1), (1)")
    db.execute("BEGIN")
    fails(db, "ALTER TABLE u ADD CONSTRAINT ua UNIQUE (a)", "23505")
    fails(db, "SELECT 1", "25P02")
    db.execute("ROLLBACK")
    assert db.execute("SELECT count(*) FROM u").fetchall() == [(2,)]


def test_foreign_key_actions(db):
    db.execute("CREATE TABLE a (id int primary key, code int UNIQUE)")
    db.execute(
        "CREATE TABLE b (id int primary key, aid int REFERENCES a(id) ON DELETE CASCADE, "
        "acode int REFERENCES a(code) ON UPDATE CASCADE ON DELETE SET NULL)"
    )
    db.execute("CREATE TABLE c (id int primary key, aid int REFERENCES a)")  # NO ACTION, referencing the key
    db.execute("INSERT INTO a VALUES (1, 10), (2, 20), (3, 30)")
    db.execute("INSERT INTO b VALUES (100, 1, 10), (101, 2, 20), (102, NULL, 30)")
    err = fails(db, "INSERT INTO b VALUES (103, 9, NULL)", "23503")
    assert err.detail == 'Key (aid)=(9) is not present in table "a".'
    db.execute("UPDATE a SET code = 21 WHERE id = 2")
    assert db.execute("SELECT acode FROM b WHERE id = 101").fetchall() == [(21,)]
    db.execute("DELETE FROM a WHERE id = 1")
    assert db.execute("SELECT id FROM b ORDER BY id").fetchall() == [(101,), (102,)]
    db.execute("DELETE FROM a WHERE id = 3")
    assert db.execute("SELECT acode FROM b WHERE id = 102").fetchall() == [(None,)]
    db.execute("INSERT INTO c VALUES (1, 2)")
    err = fails(db, "DELETE FROM a WHERE id = 2", "23503")
    assert str(err) == 'update or delete on table "a" violates foreign key constraint "c_aid_fkey" on table "c"'
    assert err.detail == 'Key (id)=(2) is still referenced from table "c".'
    fails(db, "DROP TABLE a", "2BP01")


def test_deferred_foreign_key_is_checked_at_commit(db):
    db.execute("CREATE TABLE p (id int primary key)")
    db.execute("CREATE TABLE ch (id int primary key, pid int)")
    db.execute(
        "ALTER TABLE ch ADD CONSTRAINT ch_pid_fkey FOREIGN KEY (pid) REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED"
    )
    db.execute("BEGIN")
    db.execute("INSERT INTO ch VALUES (1, 5)")  # the parent comes later in the transaction
    db.execute("INSERT INTO p VALUES (5)")
    db.execute("COMMIT")
    db.execute("BEGIN")
    db.execute("INSERT INTO ch VALUES (2, 6)")
    fails(db, "COMMIT", "23503")
    assert db.execute("SELECT count(*) FROM ch").fetchall() == [(1,)]
    db.execute("BEGIN")
    db.execute("SET CONSTRAINTS ALL IMMEDIATE")
    fails(db, "INSERT INTO ch VALUES (3, 7)", "23503")
    db.execute("ROLLBACK")


def test_two_transactions_racing_on_unique(repo_url, db):
    db.execute("CREATE TABLE t (id int primary key, email text UNIQUE)")
    conns = [agentlake.connect(repo_url) for _ in range(2)]
    for n, conn in enumerate(conns):
        conn.execute("BEGIN")
        conn.execute(f"INSERT INTO t VALUES ({n}, 'a@x')")
    outcomes = []

    def commit(conn):
        try:
            conn.execute("COMMIT")
            outcomes.append("ok")
        except agentlake.Error as err:
            outcomes.append(err.sqlstate)

    threads = [threading.Thread(target=commit, args=(c,)) for c in conns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["40001", "ok"]
    assert db.execute("SELECT count(*) FROM t WHERE email = 'a@x'").fetchall() == [(1,)]


@pytest.mark.parametrize("strategy", ["fail", "ours", "theirs"])
def test_merge_unique_conflict(repo_url, db, strategy):
    db.execute("CREATE TABLE t (id int primary key, email text UNIQUE)")
    db.branch("dev")
    db.execute("INSERT INTO t VALUES (1, 'a@x')")
    other = agentlake.connect(repo_url, branch="dev")
    other.execute("INSERT INTO t VALUES (2, 'a@x')")
    if strategy == "fail":
        with pytest.raises(agentlake.MergeConflict) as err:
            db.merge("main", source="dev")
        assert [c["kind"] for c in err.value.conflicts] == ["unique"]
        assert err.value.conflicts[0]["constraint"] == "t_email_key"
        return
    db.merge("main", strategy=strategy, source="dev")
    expected = [(1, "a@x")] if strategy == "ours" else [(2, "a@x")]
    assert db.execute("SELECT id, email FROM t").fetchall() == expected


@pytest.mark.parametrize("strategy", ["fail", "ours", "theirs"])
def test_merge_foreign_key_conflict(repo_url, db, strategy):
    db.execute("CREATE TABLE a (id int primary key)")
    db.execute("CREATE TABLE b (id int primary key, aid int REFERENCES a(id))")
    db.execute("INSERT INTO a VALUES (1)")
    db.branch("dev")
    db.execute("DELETE FROM a WHERE id = 1")
    other = agentlake.connect(repo_url, branch="dev")
    other.execute("INSERT INTO b VALUES (10, 1)")
    if strategy == "fail":
        with pytest.raises(agentlake.MergeConflict) as err:
            db.merge("main", source="dev")
        assert [c["kind"] for c in err.value.conflicts] == ["foreign_key"]
        return
    db.merge("main", strategy=strategy, source="dev")
    rows = db.execute("SELECT id FROM b").fetchall()
    assert rows == ([] if strategy == "ours" else [(10,)])


@pytest.mark.parametrize("strategy", ["fail", "ours", "theirs"])
def test_merge_check_conflict(repo_url, db, strategy):
    db.execute("CREATE TABLE t (id int primary key, n int)")
    db.branch("dev")
    db.execute("ALTER TABLE t ADD CONSTRAINT t_n_check CHECK (n > 0)")
    other = agentlake.connect(repo_url, branch="dev")
    other.execute("INSERT INTO t VALUES (1, -5)")
    if strategy == "fail":
        with pytest.raises(agentlake.MergeConflict) as err:
            db.merge("main", source="dev")
        assert [c["kind"] for c in err.value.conflicts] == ["check"]
        return
    db.merge("main", strategy=strategy, source="dev")
    assert db.execute("SELECT count(*) FROM t").fetchall() == [(0 if strategy == "ours" else 1,)]
    fails(db, "INSERT INTO t VALUES (2, -1)", "23514")  # theirs leaves it NOT VALID: new rows still checked
