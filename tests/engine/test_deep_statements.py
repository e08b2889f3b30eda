"""Deeply nested statements: moderate depth runs as in PostgreSQL 16, pathological depth fails
with 54001 (stack depth limit exceeded) and leaves the session and the data as they were."""

from __future__ import annotations

import psycopg
import pytest

import agentlake


def _subqueries(levels: int, inner: str = "SELECT a FROM t") -> str:
    for i in range(levels):
        inner = f"SELECT * FROM ({inner}) s{i}"
    return inner


MODERATE = {
    "200 parentheses": "SELECT " + "(" * 200 + "1" + ")" * 200,
    "200-term AND": "SELECT a FROM t WHERE " + " AND ".join(f"a <> {i + 10}" for i in range(200)),
    "200-term OR": "SELECT a FROM t WHERE " + " OR ".join(f"a = {i}" for i in range(200)),
    "50 nested subqueries": _subqueries(50),
    "10,000-element IN list": "SELECT a FROM t WHERE a IN (" + ", ".join(map(str, range(10_000))) + ")",
    "1 MB string literal": "SELECT length('" + "x" * 1_000_000 + "')",
    "100 nested function calls": "SELECT " + "abs(" * 100 + "a" + ")" * 100 + " FROM t",
}


@pytest.fixture
def db(tmp_path):
    conn = agentlake.connect(str(tmp_path / "repo"))
    conn.execute("CREATE TABLE t (a int)")
    conn.execute("INSERT INTO t VALUES (1), (2)")
    yield conn
    conn.close()


@pytest.fixture
def pg(postgres_server):
    info = postgres_server.get_postmaster_info()
    with psycopg.connect(f"host={info.socket_dir} port={info.port} dbname=postgres user=postgres") as conn:
        conn.execute("CREATE TEMP TABLE t (a int)")
        conn.execute("INSERT INTO t VALUES (1), (2)")
        yield conn


@pytest.mark.parametrize("name", list(MODERATE))
def test_moderately_deep_statements_answer_as_postgres(db, pg, name):
    sql = MODERATE[name]
    assert sorted(db.execute(sql).fetchall()) == sorted(pg.execute(sql).fetchall())


def test_parameters_bind_inside_deep_nesting(db):
    assert db.execute("SELECT " + "(" * 200 + "%s::int" + ")" * 200, (7,)).fetchall() == [(7,)]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT " + "(" * 100_000 + "1" + ")" * 100_000,
        "SELECT a FROM t WHERE " + " AND ".join(f"a <> {i}" for i in range(20_000)),
        _subqueries(300),
        "SELECT " + "abs(" * 2_000 + "a" + ")" * 2_000 + " FROM t",
    ],
    ids=["100,000 parentheses", "20,000-term AND", "300 nested subqueries", "2,000 nested calls"],
)
def test_pathological_depth_fails_with_54001_and_the_session_goes_on(db, sql):
    with pytest.raises(agentlake.OperationalError) as raised:
        db.execute(sql)
    assert raised.value.sqlstate == "54001"
    assert str(raised.value) == "stack depth limit exceeded"
    assert raised.value.hint
    assert db.execute("SELECT a FROM t ORDER BY a").fetchall() == [(1,), (2,)]


def test_too_deep_in_a_transaction_block_fails_only_the_block(db):
    db.autocommit = False
    db.execute("INSERT INTO t VALUES (3)")
    with pytest.raises(agentlake.OperationalError):
        db.execute("SELECT " + "(" * 100_000 + "1" + ")" * 100_000)
    db.rollback()
    db.autocommit = True
    assert db.execute("SELECT count(*) FROM t").fetchall() == [(2,)]


def test_postgres_refuses_pathological_depth_too(pg):
    with pytest.raises(psycopg.Error) as raised:
        pg.execute("SELECT " + " + ".join(["1"] * 100_000))
    assert raised.value.sqlstate == "54001"
