"""Rights hold for every statement: a matrix of statement kinds x users walked through a real server
with psycopg. Every user is connected to ``repo@agent-1``; the engine decides from the parsed
statement (or the branch function and its arguments) which branches it touches."""

from __future__ import annotations

import psycopg
import pyarrow as pa
import pytest
from psycopg import errors

import agentlake
from agentlake.server.users import UserStore

USERS = {  # name -> (read patterns, write patterns)
    "reader": (["*"], []),  # read-only
    "agent": (["main"], ["agent-1"]),  # write on its own branch only
    "lead": ([], ["main", "agent-*"]),  # write on main (and every agent branch)
}
OK, DENIED = "ok", "42501"
NOT_SUPPORTED = "0A000"

# statement kind -> (SQL run on agent-1, expected outcome for reader, agent, lead)
MATRIX: dict[str, tuple[str, tuple[str, str, str]]] = {
    "SELECT": ("SELECT count(*) FROM t", (OK, OK, OK)),
    "EXPLAIN SELECT": ("EXPLAIN SELECT * FROM t", (OK, OK, OK)),
    "COPY TO STDOUT": ("COPY t TO STDOUT", (OK, OK, OK)),
    "INSERT": ("INSERT INTO t VALUES (9, 'x', '[1,1,1]')", (DENIED, OK, OK)),
    "UPDATE": ("UPDATE t SET v = 'y' WHERE id = 1", (DENIED, OK, OK)),
    "DELETE": ("DELETE FROM t WHERE id = 1", (DENIED, OK, OK)),
    "INSERT in WITH": (
        "WITH x AS (INSERT INTO t VALUES (8, 'w', '[0,0,1]') RETURNING id) SELECT * FROM x",
        (DENIED, OK, OK),
    ),
    "MERGE": (
        "MERGE INTO t USING (SELECT 5 AS id) s ON t.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id, 'm', '[1,0,1]')",
        (DENIED, OK, OK),
    ),
    "EXPLAIN ANALYZE INSERT": (
        "EXPLAIN ANALYZE INSERT INTO t VALUES (7, 'e', '[1,0,0]')",
        (DENIED, NOT_SUPPORTED, NOT_SUPPORTED),
    ),
    "COPY FROM STDIN": ("COPY t FROM STDIN", (DENIED, OK, OK)),
    "CREATE TABLE": ("CREATE TABLE u (a int)", (DENIED, OK, OK)),
    "ALTER TABLE": ("ALTER TABLE t ADD COLUMN w int", (DENIED, OK, OK)),
    "DROP TABLE": ("DROP TABLE t", (DENIED, OK, OK)),
    "TRUNCATE": ("TRUNCATE t", (DENIED, OK, OK)),
    "CREATE INDEX": ("CREATE INDEX ti ON t USING hnsw (e vector_l2_ops)", (DENIED, OK, OK)),
    "REINDEX": ("REINDEX TABLE t", (DENIED, OK, OK)),
    "CREATE VIEW": ("CREATE VIEW tv AS SELECT id FROM t", (DENIED, OK, OK)),
    "merge into main": ("SELECT agentlake.merge('main')", (DENIED, DENIED, OK)),
    "create branch": ("SELECT agentlake.branch('agent-2')", (DENIED, DENIED, OK)),
    "delete branch": ("SELECT agentlake.delete_branch('agent-scratch')", (DENIED, DENIED, OK)),
    "tag": ("SELECT agentlake.tag('agent-1-v1')", (DENIED, DENIED, OK)),
    "checkout main": ("SELECT agentlake.checkout('main')", (OK, OK, OK)),
    "SET branch main": ("SET agentlake.branch = 'main'", (OK, OK, OK)),
    "checkout secret": ("SELECT agentlake.checkout('secret')", (OK, DENIED, DENIED)),
    "SET branch secret": ("SET agentlake.branch = 'secret'", (OK, DENIED, DENIED)),
    "log of main": ("SELECT agentlake.log('main')", (OK, OK, OK)),
    "log of secret": ("SELECT agentlake.log('secret')", (OK, DENIED, DENIED)),
    "diff secret": ("SELECT agentlake.diff('secret', 'agent-1')", (OK, DENIED, DENIED)),
    "SET setting": ("SET application_name = 'x'", (OK, OK, OK)),
    "BEGIN; INSERT": ("BEGIN; INSERT INTO t VALUES (6, 'b', '[0,1,0]'); COMMIT", (DENIED, OK, OK)),
}


@pytest.fixture
def rights_server(make_server, tmp_path):
    repo = str(tmp_path / "repo")
    store = UserStore(repo)
    for name, (read, write) in USERS.items():
        store.add(name, "pw", read=read, write=write)
    admin = agentlake.connect(repo)  # the embedded API: no rights object, everything allowed
    admin.execute("CREATE TABLE t (id int PRIMARY KEY, v text, e vector(3))")
    admin.execute("INSERT INTO t VALUES (1, 'a', '[1,2,3]')")
    admin.tag("base")
    admin.branch("secret")
    return make_server(trust=False, users=store), admin


def _reset(admin: agentlake.Connection) -> None:
    """Every cell starts from the same branches: agent-1 one commit ahead of base, agent-scratch present."""
    repo = admin.repository
    for name in ("agent-1", "agent-2", "agent-scratch"):
        if name in repo.branches():
            repo.delete_branch(name)
    repo.create_branch("agent-1", from_="base")
    repo.create_branch("agent-scratch", from_="base")
    with agentlake.connect(repo, "agent-1") as branch:
        branch.execute("INSERT INTO t VALUES (2, 'b', '[3,2,1]')")
    if "agent-1-v1" in repo.tags():
        repo.delete_tag("agent-1-v1")


def _run(dsn: str, sql: str) -> str:
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            if sql.startswith("COPY") and "FROM STDIN" in sql:
                with conn.cursor().copy(sql) as copy:
                    copy.write_row((5, "c", "[0,0,0]"))
            elif sql.startswith("COPY"):
                with conn.cursor().copy(sql) as copy:
                    list(copy)
            elif sql.startswith("BEGIN"):
                conn.autocommit = False
                conn.execute(sql.split("; ")[1])
                conn.commit()
            else:
                conn.execute(sql)
        return OK
    except psycopg.Error as err:
        return err.sqlstate or "?"


def test_rights_matrix(rights_server, capsys):
    server, admin = rights_server
    users = list(USERS)
    found: dict[str, list[str]] = {}
    for kind, (sql, _) in MATRIX.items():
        found[kind] = []
        for user in users:
            _reset(admin)
            found[kind].append(_run(server.dsn(user, dbname=f"{server.database}@agent-1", password="pw"), sql))
    width = max(map(len, MATRIX))
    with capsys.disabled():
        print(f"\n{'statement':<{width}}  " + "  ".join(f"{u:<8}" for u in users))
        for kind, outcomes in found.items():
            print(f"{kind:<{width}}  " + "  ".join(f"{o:<8}" for o in outcomes))
    assert found == {kind: list(expected) for kind, (_, expected) in MATRIX.items()}


def test_agent_cannot_merge_into_main(rights_server):
    """The bypass of issue 18: a user who may write only agent-1 ran agentlake.merge('main')."""
    server, admin = rights_server
    _reset(admin)
    before = admin.repository.head("main")
    with psycopg.connect(
        server.dsn("agent", dbname=f"{server.database}@agent-1", password="pw"), autocommit=True
    ) as conn:
        with pytest.raises(errors.InsufficientPrivilege, match="permission denied for branch main"):
            conn.execute("SELECT agentlake.merge('main')")
        conn.execute("SELECT agentlake.checkout('main')")  # reading main is allowed ...
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (1,)
        with pytest.raises(errors.InsufficientPrivilege):  # ... writing it from there is not
            conn.execute("INSERT INTO t VALUES (3, 'c', '[0,0,0]')")
    assert admin.repository.head("main") == before


def test_connecting_needs_read_and_creating_a_branch_needs_write(rights_server):
    server, _ = rights_server
    with pytest.raises(psycopg.OperationalError, match="permission denied for branch secret"):
        psycopg.connect(server.dsn("agent", dbname=f"{server.database}@secret", password="pw"))
    with pytest.raises(psycopg.OperationalError, match="does not exist"):  # read on agent-*, no write
        psycopg.connect(server.dsn("reader", dbname=f"{server.database}@agent-new", password="pw"))
    with psycopg.connect(server.dsn("lead", dbname=f"{server.database}@agent-new", password="pw")) as conn:
        assert conn.execute("SELECT agentlake.current_branch()").fetchone() == ("agent-new",)


def test_embedded_api_rights(tmp_path):
    """The same checks hold for the Python API when a rights object is given."""
    from agentlake.engine.rights import Rights

    repo = str(tmp_path / "repo")
    agentlake.connect(repo).execute("CREATE TABLE t (a int)")
    db = agentlake.connect(repo, "agent-1", rights=Rights("agent", read=("main",), write=("agent-1",)))
    db.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(agentlake.ProgrammingError) as raised:
        db.merge("main")
    assert raised.value.sqlstate == "42501"
    db.checkout("main")
    with pytest.raises(agentlake.ProgrammingError, match="permission denied for branch main"):
        db.load_arrow("t", pa.table({"a": pa.array([2], pa.int32())}))
