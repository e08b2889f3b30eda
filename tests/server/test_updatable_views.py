"""INSERT, UPDATE and DELETE through automatically updatable views (issue 16 of agentlake).

Each scenario runs statement by statement on agentlake (a real server, psycopg) and on PostgreSQL
16 (pgserver), and every outcome must be the same: command tag, rows and column names, or the
error's SQLSTATE, message, DETAIL and HINT. The embedded API is tested for what a comparison does
not show: transactions, branches, rights and the stored CHECK OPTION.
"""

from __future__ import annotations

import itertools

import psycopg
import pytest

import agentlake
from agentlake.engine.rights import Rights

TABLE = "CREATE TABLE t (id int PRIMARY KEY, n text DEFAULT 'dflt', m int DEFAULT 7)"
ROWS = "INSERT INTO t VALUES (1, 'a', 1), (2, 'b', 2), (-3, 'c', 3)"
PARAMETERS = {  # statements with parameters: psycopg binds them (extended protocol, typed)
    "UPDATE vb SET name = %s WHERE k = %s RETURNING *": ("bound", 1),
    "INSERT INTO vb VALUES (%s, %s) RETURNING k2, name": (20, "twenty"),
    "DELETE FROM vb WHERE k2 > %s RETURNING k": (30,),
}

SCENARIOS = {
    "simple view": [
        TABLE,
        ROWS,
        "CREATE VIEW v AS SELECT id, n FROM t",
        "INSERT INTO v VALUES (3, 'z')",
        "INSERT INTO v (id) VALUES (4)",
        "INSERT INTO v VALUES (5, DEFAULT) RETURNING *",
        "INSERT INTO v (n, id) SELECT n || '!', id + 100 FROM t WHERE id = 1 RETURNING n, id",
        "INSERT INTO v SELECT 6, 'six'",
        "UPDATE v SET n = 'q' WHERE id = 1 RETURNING *",
        "DELETE FROM v WHERE id = 2 RETURNING *",
        "SELECT * FROM t ORDER BY id",
        "INSERT INTO v VALUES (7, 'x', 1)",
        "INSERT INTO v (id, id) VALUES (8, 9)",
        "INSERT INTO v (zz) VALUES (1)",
        "UPDATE v SET zz = 1",
        "UPDATE v SET n = 'no' WHERE m = 7",
        "UPDATE v SET n = 'no' WHERE v.m = 7",
        "DELETE FROM v WHERE m = 7",
        "SELECT * FROM t ORDER BY id",
    ],
    "renamed and computed columns, WHERE": [
        TABLE,
        ROWS,
        "CREATE VIEW vb AS SELECT id AS k, n AS name, id * 2 AS k2, upper(n) AS u FROM t WHERE id > 0",
        "UPDATE vb SET name = name || '!' RETURNING *",
        "DELETE FROM vb WHERE name = 'c!'",
        "UPDATE vb SET k2 = 3",
        "INSERT INTO vb (k, u) VALUES (9, 'x')",
        "INSERT INTO vb VALUES (9, 'x', 3)",
        "INSERT INTO vb VALUES (10, 'ten') RETURNING k2, name, k2 * 10, upper(name)",
        "INSERT INTO vb VALUES (-4, 'hidden')",
        "UPDATE vb SET name = 'seen' WHERE k < 0",
        "DELETE FROM vb WHERE k < 0",
        "UPDATE vb SET name = DEFAULT WHERE k = 10 RETURNING *",
        "UPDATE vb SET k = k + 100 WHERE k2 >= 20 RETURNING k, k2",
        "UPDATE vb AS x SET name = 'x' WHERE x.k = 1 RETURNING x.k, x.name",
        "DELETE FROM vb AS x WHERE x.k = 1 RETURNING x.*",
        "SELECT * FROM t ORDER BY id",
    ],
    "views over views": [
        TABLE,
        ROWS,
        "CREATE VIEW vb AS SELECT id AS k, n AS name, id * 2 AS k2 FROM t WHERE id > 0",
        "CREATE VIEW vc AS SELECT k, name FROM vb WHERE k < 100",
        "INSERT INTO vc VALUES (10, 'x') RETURNING *",
        "INSERT INTO vc (name, k) VALUES ('y', 11) RETURNING k, name, k + 1 AS k1",
        "UPDATE vc SET name = name || '!' WHERE k >= 10 RETURNING *",
        "DELETE FROM vc WHERE k = 11 RETURNING *",
        "UPDATE vc SET k = 200 WHERE k = 10",
        "UPDATE vc SET name = 'gone' WHERE k = 200",
        "CREATE VIEW vdup AS SELECT id, id AS id2, n FROM t",
        "INSERT INTO vdup (id, n) VALUES (5, 'five') RETURNING *",
        "SELECT * FROM t ORDER BY id",
    ],
    "not updatable": [
        TABLE,
        ROWS,
        "CREATE VIEW vg AS SELECT n, count(*) AS c FROM t GROUP BY n",
        "INSERT INTO vg VALUES ('a', 1)",
        "UPDATE vg SET n = 'a'",
        "DELETE FROM vg",
        "CREATE VIEW vov AS SELECT * FROM vg",
        "INSERT INTO vov VALUES ('a', 1)",
        "CREATE VIEW vd AS SELECT DISTINCT n FROM t",
        "INSERT INTO vd VALUES ('a')",
        "CREATE VIEW vl AS SELECT id FROM t LIMIT 1",
        "UPDATE vl SET id = 1",
        "CREATE VIEW vo AS SELECT id FROM t OFFSET 1",
        "DELETE FROM vo",
        "CREATE VIEW vu AS SELECT id FROM t UNION SELECT id FROM t",
        "INSERT INTO vu VALUES (1)",
        "CREATE VIEW vw AS WITH x AS (SELECT * FROM t) SELECT id FROM x",
        "INSERT INTO vw VALUES (1)",
        "CREATE VIEW vj AS SELECT t.id FROM t, t AS t2",
        "DELETE FROM vj",
        "CREATE VIEW va AS SELECT sum(id) AS s FROM t",
        "UPDATE va SET s = 1",
        "CREATE VIEW vwin AS SELECT id, row_number() OVER () AS r FROM t",
        "DELETE FROM vwin",
        "CREATE VIEW vsub AS SELECT * FROM (SELECT * FROM t) AS s",
        "INSERT INTO vsub VALUES (1)",
        "CREATE VIEW vconst AS SELECT 1 AS a",
        "INSERT INTO vconst VALUES (1)",
        "CREATE VIEW vcomp AS SELECT m + 1 AS x FROM t",
        "INSERT INTO vcomp VALUES (1)",
        "UPDATE vcomp SET x = 1",
        "DELETE FROM vcomp WHERE x = 2",
        "SELECT * FROM t ORDER BY id",
    ],
    "check option": [
        TABLE,
        ROWS,
        "CREATE VIEW vck AS SELECT id, n, m FROM t WHERE m > 0 WITH CHECK OPTION",
        "INSERT INTO vck VALUES (20, 'c', 0)",
        "INSERT INTO vck VALUES (20, 'c', NULL)",
        "INSERT INTO vck VALUES (20, 'c', 1), (21, 'd', -1)",
        "INSERT INTO vck (id) VALUES (21)",
        "UPDATE vck SET m = -1 WHERE id = 21",
        "UPDATE vck SET m = m + 1 WHERE id = 21 RETURNING *",
        "DELETE FROM vck WHERE id = 21",
        "CREATE VIEW vckl AS SELECT id, n, m FROM t WHERE m < 100 WITH LOCAL CHECK OPTION",
        "CREATE VIEW vnest AS SELECT * FROM vckl WHERE m > 50 WITH LOCAL CHECK OPTION",
        "INSERT INTO vnest VALUES (30, 'x', 200)",
        "INSERT INTO vnest VALUES (30, 'x', 20)",
        "INSERT INTO vnest VALUES (30, 'x', 60) RETURNING *",
        "CREATE VIEW vnest2 AS SELECT * FROM vck WHERE id < 1000",
        "INSERT INTO vnest2 VALUES (31, 'x', -1)",
        "CREATE VIEW vnest3 AS SELECT * FROM vnest2 WHERE id > 5 WITH CASCADED CHECK OPTION",
        "INSERT INTO vnest3 VALUES (32, 'x', -1)",
        "INSERT INTO vnest3 VALUES (3, 'x', 1)",
        "INSERT INTO vnest3 VALUES (3, 'x', -1)",
        "INSERT INTO vnest3 VALUES (2000, 'x', 1)",
        "CREATE VIEW y1 AS SELECT * FROM t WHERE m > 0",
        "CREATE VIEW y2 AS SELECT * FROM y1 WHERE id > 5 WITH CASCADED CHECK OPTION",
        "INSERT INTO y2 VALUES (6, 'a', -1)",
        "INSERT INTO y2 VALUES (4, 'a', -1)",
        "CREATE VIEW y3 AS SELECT * FROM y1 WHERE id > 5 WITH LOCAL CHECK OPTION",
        "INSERT INTO y3 VALUES (6, 'a', -1)",
        "CREATE VIEW x4 WITH (check_option = local) AS SELECT id FROM t WHERE id > 1",
        "INSERT INTO x4 VALUES (0)",
        "INSERT INTO vck VALUES (1, 'dup', 1) ON CONFLICT (id) DO UPDATE SET m = -5",
        "INSERT INTO vck VALUES (40, 'dup', 1) ON CONFLICT (id) DO UPDATE SET m = excluded.m + 1 RETURNING *",
        "INSERT INTO vck VALUES (40, 'dup', 3) ON CONFLICT (id) DO UPDATE SET m = excluded.m + 1 RETURNING *",
        "INSERT INTO vck VALUES (40, 'dup', 3) ON CONFLICT (id) DO NOTHING RETURNING *",
        "SELECT * FROM t ORDER BY id",
    ],
    "on conflict through a view": [
        TABLE,
        ROWS,
        "CREATE VIEW vb AS SELECT id AS k, n AS name, id * 2 AS k2 FROM t WHERE id > 0",
        "INSERT INTO vb VALUES (-3, 'q') ON CONFLICT (k) DO UPDATE SET name = 'zz' RETURNING *",
        "INSERT INTO vb VALUES (50, 'q') ON CONFLICT (k) DO UPDATE SET name = excluded.name || vb.name RETURNING *",
        "INSERT INTO vb VALUES (50, 'r') ON CONFLICT (k) DO UPDATE SET name = excluded.name || vb.name RETURNING *",
        "INSERT INTO vb VALUES (50, 'r') ON CONFLICT (k) DO UPDATE SET name = 's' WHERE vb.k2 > 1000",
        "INSERT INTO vb VALUES (-3, 'q') ON CONFLICT (k) DO UPDATE SET k2 = 3",
        "INSERT INTO vb VALUES (-3, 'q') ON CONFLICT (k2) DO NOTHING",
        "INSERT INTO vb VALUES (50, 'r') ON CONFLICT (k) DO UPDATE SET name = DEFAULT RETURNING *",
        "SELECT * FROM t ORDER BY id",
    ],
    "set lists": [
        TABLE,
        ROWS,
        "CREATE VIEW vb AS SELECT id AS k, n AS name, id * 2 AS k2 FROM t WHERE id > 0",
        "UPDATE vb SET name = 'a', name = 'b'",
        "UPDATE vb SET name = 'a', k2 = 1",
        "INSERT INTO vb (k, name, k) VALUES (1, 'a', 2)",
        "CREATE VIEW vdup AS SELECT id, id AS id2, n FROM t",
        "UPDATE vdup SET id = 5, id2 = 6",
        "INSERT INTO vdup (id, id2) VALUES (5, 6)",
        "SELECT * FROM t ORDER BY id",
    ],
    "other relations": [
        TABLE,
        ROWS,
        "CREATE TABLE u (k int, name text, zz int)",
        "INSERT INTO u VALUES (1, 'from u', 5)",
        "CREATE VIEW vb AS SELECT id AS k, n AS name FROM t WHERE id > 0",
        "UPDATE vb SET name = u.name FROM u WHERE vb.k = u.k RETURNING vb.*",
        "UPDATE vb SET name = 'y' FROM u WHERE vb.k = u.k AND zz = 5 RETURNING vb.*",
        "UPDATE vb SET name = 'y' FROM u WHERE vb.k = u.k AND m = 5",
        "DELETE FROM vb USING u WHERE vb.k = u.k RETURNING vb.k",
        "DELETE FROM vb WHERE k IN (SELECT k FROM vb WHERE name = 'b') RETURNING k",
        "SELECT * FROM t ORDER BY id",
    ],
    "create view": [
        TABLE,
        ROWS,
        "CREATE VIEW x1 AS SELECT DISTINCT n FROM t WITH CHECK OPTION",
        "CREATE VIEW x2 AS SELECT 1 AS a FROM t WITH CHECK OPTION",
        "CREATE VIEW x3 WITH (check_option = foo) AS SELECT id FROM t",
        "CREATE VIEW x4 WITH (check_option = local) AS SELECT id FROM t WITH CASCADED CHECK OPTION",
        "CREATE VIEW x5 WITH (foo = 1) AS SELECT id FROM t",
        "CREATE VIEW x6 (a, b) AS SELECT id, n, m FROM t",
        "SELECT * FROM x6 ORDER BY a",
        "INSERT INTO x6 (a, b) VALUES (10, 'x') RETURNING *",
        "CREATE VIEW x7 (a, b, c, d) AS SELECT id, n, m FROM t",
        "CREATE VIEW x8 (a, a) AS SELECT id, n FROM t",
        "CREATE VIEW x9 (a) AS SELECT * FROM t WHERE m > 5 WITH CHECK OPTION",
        "INSERT INTO x9 VALUES (11, 'q', 8) RETURNING *",
        "INSERT INTO x9 VALUES (12, 'q', 1)",
        "SELECT * FROM t ORDER BY id",
    ],
    "qualified base relation, WHERE reading another table": [
        TABLE,
        ROWS,
        "CREATE TABLE u (k int)",
        "INSERT INTO u VALUES (1), (-3)",
        "CREATE VIEW y AS SELECT tt.id AS k, tt.n FROM t AS tt WHERE tt.m IS NOT NULL AND tt.id < 100",
        "INSERT INTO y VALUES (4, 'd') RETURNING *",
        "UPDATE y SET n = n || '?' WHERE y.k = 4 RETURNING y.n, k",
        "CREATE VIEW vs AS SELECT id, n FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.k = t.id)",
        "UPDATE vs SET n = 'has u' RETURNING *",
        "DELETE FROM vs WHERE n = 'has u' RETURNING id",
        "SELECT * FROM t ORDER BY id",
    ],
    "parameters": [
        TABLE,
        ROWS,
        "CREATE VIEW vb AS SELECT id AS k, n AS name, id * 2 AS k2 FROM t WHERE id > 0",
        *PARAMETERS,
        "SELECT * FROM t ORDER BY id",
    ],
}


def _outcomes(conn: psycopg.Connection, statements: list[str]) -> list[tuple]:
    """What each statement gave: (tag, column names, sorted rows) or (SQLSTATE, message, DETAIL, HINT)."""
    found = []
    for sql in statements:
        try:
            cursor = conn.execute(sql, PARAMETERS.get(sql))
        except psycopg.Error as err:
            diag = err.diag
            found.append((sql, diag.sqlstate, diag.message_primary, diag.message_detail, diag.message_hint))
            continue
        columns = [d.name for d in cursor.description] if cursor.description else None
        rows = sorted(cursor.fetchall(), key=repr) if cursor.description else None
        found.append((sql, cursor.statusmessage, columns, rows))
    return found


_schemas = itertools.count()


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_same_as_postgres(scenario, make_server, postgres_server):
    statements = SCENARIOS[scenario]
    server = make_server()
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        ours = _outcomes(conn, statements)
    info = postgres_server.get_postmaster_info()
    schema = f"updatable_views_{next(_schemas)}"
    with psycopg.connect(
        f"host={info.socket_dir} port={info.port} dbname=postgres user=postgres", autocommit=True
    ) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"SET search_path = {schema}")
        try:
            theirs = _outcomes(conn, statements)
        finally:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    assert ours == theirs


def _error(db: agentlake.Connection, sql: str) -> agentlake.Error:
    with pytest.raises(agentlake.Error) as raised:
        db.execute(sql)
    return raised.value


@pytest.fixture
def db(lake):
    lake.execute(TABLE)
    lake.execute(ROWS)
    lake.execute("CREATE VIEW pos AS SELECT id, n, m FROM t WHERE m > 0 WITH LOCAL CHECK OPTION")
    return lake


def test_a_failed_check_fails_only_its_statement(db):
    error = _error(db, "INSERT INTO pos VALUES (20, 'ok', 9), (21, 'no', 0)")
    assert (error.sqlstate, str(error), error.detail) == (
        "44000",
        'new row violates check option for view "pos"',
        "Failing row contains (21, no, 0).",
    )
    assert db.execute("SELECT count(*) FROM t").fetchone() == (3,)
    db.execute("BEGIN")
    db.execute("INSERT INTO pos VALUES (10, 'kept', 5)")
    db.execute("SAVEPOINT s")
    assert _error(db, "UPDATE pos SET m = 0 WHERE id = 10").sqlstate == "44000"
    assert _error(db, "SELECT 1").sqlstate == "25P02"  # the transaction failed, as in PostgreSQL
    db.execute("ROLLBACK TO SAVEPOINT s")
    db.execute("UPDATE pos SET m = 6 WHERE id = 10")
    db.execute("COMMIT")
    assert db.execute("SELECT * FROM t WHERE id = 10").fetchall() == [(10, "kept", 6)]


def test_check_option_is_kept_by_the_catalog(tmp_path):
    repo = str(tmp_path / "repo")
    with agentlake.connect(repo, create=True) as first:
        first.execute(TABLE)
        first.execute("CREATE VIEW pos AS SELECT id, n, m FROM t WHERE m > 0 WITH CASCADED CHECK OPTION")
    with agentlake.connect(repo) as again:
        assert _error(again, "INSERT INTO pos VALUES (1, 'a', 0)").sqlstate == "44000"
        again.execute("INSERT INTO pos VALUES (1, 'a', 1)")
        assert again.execute("SELECT * FROM pos").fetchall() == [(1, "a", 1)]
        again.execute("CREATE OR REPLACE VIEW pos AS SELECT id, n, m FROM t WHERE m > 0")
        again.execute("INSERT INTO pos VALUES (2, 'b', 0)")  # the replaced view has no CHECK OPTION
        assert again.execute("SELECT count(*) FROM t").fetchone() == (2,)


def test_writes_through_a_view_stay_on_the_branch(db):
    db.branch("agent-1")
    with agentlake.connect(db.repository, "agent-1") as agent:
        agent.execute("INSERT INTO pos VALUES (5, 'agent', 5)")
        agent.execute("UPDATE pos SET n = 'changed' WHERE id = 1")
        agent.execute("DELETE FROM pos WHERE id = 2")
        assert agent.execute("SELECT * FROM t ORDER BY id").fetchall() == [
            (-3, "c", 3),
            (1, "changed", 1),
            (5, "agent", 5),
        ]
    assert db.execute("SELECT * FROM t ORDER BY id").fetchall() == [(-3, "c", 3), (1, "a", 1), (2, "b", 2)]


def test_writing_through_a_view_needs_the_right_to_write_the_branch(db):
    reader = agentlake.connect(db.repository, "main", rights=Rights("reader", read=("*",), write=("agent-*",)))
    for sql in ("INSERT INTO pos VALUES (5, 'x', 5)", "UPDATE pos SET n = 'x'", "DELETE FROM pos"):
        error = _error(reader, sql)
        assert (error.sqlstate, str(error)) == ("42501", "permission denied for branch main")
    assert reader.execute("SELECT count(*) FROM pos").fetchone() == (3,)  # reading is allowed


def test_what_agentlake_refuses(db):
    """What PostgreSQL accepts and agentlake does not do, refused rather than done otherwise."""
    error = _error(
        db, "CREATE VIEW sub AS SELECT id FROM t WHERE id IN (SELECT id FROM t WHERE m > 1) WITH CHECK OPTION"
    )
    assert (error.sqlstate, str(error)) == (
        "0A000",
        'CHECK OPTION of view "sub" is not supported: its WHERE has a subquery',
    )
    db.execute("CREATE VIEW sub AS SELECT id, m FROM t WHERE id IN (SELECT id FROM t WHERE m > 1)")
    db.execute("CREATE VIEW above AS SELECT * FROM sub WITH CASCADED CHECK OPTION")
    assert _error(db, "INSERT INTO above VALUES (9, 9)").sqlstate == "0A000"
    assert db.execute("DELETE FROM above WHERE id = 2").rowcount == 1  # DELETE checks nothing
    error = _error(db, "CREATE VIEW sb WITH (security_barrier = true) AS SELECT id FROM t")
    assert (error.sqlstate, str(error)) == ("0A000", 'view option "security_barrier" is not supported')
