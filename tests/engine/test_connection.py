"""The agent-facing API: connect, DB-API behaviour, transactions, branches."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest

import agentlake


@pytest.fixture
def db(repo_url):
    conn = agentlake.connect(repo_url, branch="main")
    conn.execute("CREATE TABLE memory (key text PRIMARY KEY, value text, created_at timestamptz DEFAULT now())")
    return conn


def test_seed_workflow_branch_write_query_merge(repo_url):
    main = agentlake.connect(repo_url)
    main.execute("CREATE TABLE memory (key text PRIMARY KEY, value text)")
    agent = agentlake.connect(repo_url, branch="agent-task-001")
    agent.execute("INSERT INTO memory (key, value) VALUES (%s, %s)", ["plan", "step 1: research"])
    assert agent.execute("SELECT * FROM memory WHERE key = %(k)s", {"k": "plan"}).fetchall() == [
        ("plan", "step 1: research")
    ]
    assert main.execute("SELECT count(*) FROM memory").fetchone() == (0,)
    assert agent.diff("main")["memory"].counts == {"added": 1, "removed": 0, "changed": 0}  # main -> this branch
    agent.merge("main")
    assert main.execute("SELECT value FROM memory").fetchall() == [("step 1: research",)]


def test_connect_without_create_refuses_missing_branch(repo_url):
    agentlake.connect(repo_url)
    with pytest.raises(agentlake.Error) as err:
        agentlake.connect(repo_url, branch="nope", create=False)
    assert err.value.sqlstate == "3F000"


@pytest.mark.parametrize("bad", ["../x", "a/../../b", "", "-x", "a b", "x" * 300, "tab\tname"])
def test_bad_branch_names_are_refused(repo_url, bad):
    with pytest.raises(agentlake.Error) as err:
        agentlake.connect(repo_url, branch=bad)
    assert err.value.sqlstate == "42602"


def test_dbapi_cursor_surface(db):
    cur = db.cursor()
    cur.executemany("INSERT INTO memory (key, value) VALUES (%s, %s)", [("a", "1"), ("b", "2"), ("c", "3")])
    assert cur.rowcount == 3
    cur.execute("SELECT key, value FROM memory ORDER BY key")
    assert [d[0] for d in cur.description] == ["key", "value"]
    assert cur.rowcount == 3
    assert cur.fetchone() == ("a", "1")
    assert cur.fetchmany(1) == [("b", "2")]
    assert cur.fetchall() == [("c", "3")]
    assert cur.fetchone() is None
    assert db.execute("SELECT key FROM memory ORDER BY key").fetch_arrow().column("key").to_pylist() == ["a", "b", "c"]
    assert list(db.execute("SELECT value FROM memory ORDER BY key").fetch_df()["value"]) == ["1", "2", "3"]
    assert db.execute("SELECT key FROM memory ORDER BY key").fetch_polars()["key"].to_list() == ["a", "b", "c"]
    assert agentlake.paramstyle == "pyformat" and agentlake.apilevel == "2.0"


def test_parameters_are_bound_not_interpolated(db):
    evil = "x'); DROP TABLE memory; --"
    db.execute("INSERT INTO memory (key, value) VALUES (%s, %s)", [evil, "v"])
    assert db.execute("SELECT key FROM memory").fetchall() == [(evil,)]


def test_default_now_and_returning(db):
    before = dt.datetime.now(dt.timezone.utc)
    row = db.execute("INSERT INTO memory (key, value) VALUES ('k', 'v') RETURNING key, created_at").fetchone()
    assert row[0] == "k" and row[1] >= before - dt.timedelta(seconds=1)
    assert db.execute("UPDATE memory SET value = value || '!' RETURNING value").fetchall() == [("v!",)]
    assert db.execute("DELETE FROM memory WHERE key = 'k' RETURNING key").fetchall() == [("k",)]
    assert db.execute("SELECT count(*) FROM memory").fetchone() == (0,)


def test_upserts(db):
    db.execute("INSERT INTO memory (key, value) VALUES ('a', 'old'), ('b', 'keep')")
    cur = db.execute(
        "INSERT INTO memory (key, value) VALUES ('a', 'new'), ('c', 'fresh') "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )
    assert cur.rowcount == 2
    cur = db.execute("INSERT INTO memory (key, value) VALUES ('b', 'ignored'), ('d', 'x') ON CONFLICT DO NOTHING")
    assert cur.rowcount == 1
    assert db.execute("SELECT key, value FROM memory ORDER BY key").fetchall() == [
        ("a", "new"),
        ("b", "keep"),
        ("c", "fresh"),
        ("d", "x"),
    ]


def test_constraint_errors_carry_sqlstate_and_write_nothing(db):
    db.execute("INSERT INTO memory (key, value) VALUES ('a', '1')")
    with pytest.raises(agentlake.IntegrityError) as err:
        db.execute("INSERT INTO memory (key, value) VALUES ('b', '2'), ('a', 'dup')")
    assert err.value.sqlstate == "23505"
    with pytest.raises(agentlake.IntegrityError) as err:
        db.execute("INSERT INTO memory (key, value) VALUES (NULL, 'x')")
    assert err.value.sqlstate == "23502"
    assert db.execute("SELECT key FROM memory").fetchall() == [("a",)]


def test_error_codes(db):
    cases = {
        "SELECT * FROM nowhere": "42P01",
        "SELECT nope FROM memory": "42703",
        "SELECT 1/0": "22012",
        "SELEC 1": "42601",
    }
    for sql, state in cases.items():
        with pytest.raises(agentlake.Error) as err:
            db.execute(sql)
        assert err.value.sqlstate == state, sql


def test_explicit_transaction_is_atomic_and_isolated(repo_url, db):
    other = agentlake.connect(repo_url)
    db.execute("BEGIN")
    db.execute("INSERT INTO memory (key, value) VALUES ('t', '1')")
    assert db.execute("SELECT count(*) FROM memory").fetchone() == (1,)
    assert other.execute("SELECT count(*) FROM memory").fetchone() == (0,)
    db.execute("COMMIT")
    assert other.execute("SELECT count(*) FROM memory").fetchone() == (1,)
    with db.transaction():
        db.execute("INSERT INTO memory (key, value) VALUES ('u', '2')")
    with pytest.raises(RuntimeError):
        with db.transaction():
            db.execute("INSERT INTO memory (key, value) VALUES ('v', '3')")
            raise RuntimeError("agent crashed")
    assert other.execute("SELECT key FROM memory ORDER BY key").fetchall() == [("t",), ("u",)]


def test_repeatable_read_reads_the_snapshot_of_its_first_statement(repo_url, db):
    other = agentlake.connect(repo_url)
    db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    other.execute("INSERT INTO memory (key, value) VALUES ('w', '0')")  # before the first statement: seen
    assert db.execute("SELECT count(*) FROM memory").fetchone() == (1,)
    other.execute("INSERT INTO memory (key, value) VALUES ('x', '1')")
    assert db.execute("SELECT count(*) FROM memory").fetchone() == (1,)
    db.execute("ROLLBACK")
    assert db.execute("SELECT count(*) FROM memory").fetchone() == (2,)


def test_read_committed_reads_what_was_committed_before_each_statement(repo_url, db):
    other = agentlake.connect(repo_url)
    db.execute("BEGIN")
    db.execute("INSERT INTO memory (key, value) VALUES ('mine', '0')")
    other.execute("INSERT INTO memory (key, value) VALUES ('x', '1')")
    assert db.execute("SELECT key FROM memory ORDER BY key").fetchall() == [("mine",), ("x",)]
    db.execute("UPDATE memory SET value = '2' WHERE key IN ('mine', 'x')")
    db.execute("COMMIT")
    assert other.execute("SELECT key, value FROM memory ORDER BY key").fetchall() == [("mine", "2"), ("x", "2")]


def test_repeatable_read_update_of_a_row_changed_since_its_snapshot_fails_with_40001(repo_url, db):
    db.execute("INSERT INTO memory (key, value) VALUES ('x', '0')")
    other = agentlake.connect(repo_url)
    db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    other.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    assert other.execute("SELECT value FROM memory").fetchall() == [("0",)]
    db.execute("UPDATE memory SET value = '1' WHERE key = 'x'")
    db.execute("COMMIT")
    with pytest.raises(agentlake.SerializationFailure) as err:
        other.execute("UPDATE memory SET value = '2' WHERE key = 'x'")
    assert err.value.sqlstate == "40001"
    other.execute("ROLLBACK")
    assert db.execute("SELECT value FROM memory").fetchall() == [("1",)]


def test_read_committed_update_waits_for_the_rows_writer_and_applies_on_its_change(repo_url, db):
    db.execute("INSERT INTO memory (key, value) VALUES ('x', '0')")
    other = agentlake.connect(repo_url)
    db.execute("BEGIN")
    db.execute("UPDATE memory SET value = value || '1' WHERE key = 'x'")
    waiter = threading.Thread(target=other.execute, args=("UPDATE memory SET value = value || '2' WHERE key = 'x'",))
    waiter.start()
    waiter.join(0.3)
    assert waiter.is_alive()  # the row is db's until it commits
    db.execute("COMMIT")
    waiter.join(30)
    assert db.execute("SELECT value FROM memory").fetchall() == [("012",)]


def test_failed_transaction_needs_rollback(db):
    db.execute("BEGIN")
    db.execute("INSERT INTO memory (key, value) VALUES ('a', '1')")
    with pytest.raises(agentlake.Error):
        db.execute("SELECT * FROM nowhere")
    assert db.transaction_status == "failed"
    with pytest.raises(agentlake.Error) as err:
        db.execute("SELECT 1")
    assert err.value.sqlstate == "25P02"
    db.execute("ROLLBACK")
    assert db.transaction_status == "idle"
    assert db.execute("SELECT count(*) FROM memory").fetchone() == (0,)


def test_savepoints(db):
    db.execute("BEGIN")
    db.execute("INSERT INTO memory (key, value) VALUES ('a', '1')")
    db.execute("SAVEPOINT s1")
    db.execute("INSERT INTO memory (key, value) VALUES ('b', '2')")
    db.execute("ROLLBACK TO SAVEPOINT s1")
    db.execute("SAVEPOINT s2")
    with pytest.raises(agentlake.Error):
        db.execute("INSERT INTO memory (key, value) VALUES ('a', 'dup')")
    db.execute("ROLLBACK TO s2")
    db.execute("RELEASE SAVEPOINT s2")
    db.execute("INSERT INTO memory (key, value) VALUES ('c', '3')")
    db.execute("COMMIT")
    assert db.execute("SELECT key FROM memory ORDER BY key").fetchall() == [("a",), ("c",)]


def test_savepoint_names_quoted_and_unquoted(db):
    """PostgreSQL folds unquoted savepoint names and keeps quoted ones exactly."""
    db.execute("BEGIN")
    db.execute('SAVEPOINT "Outer Step"')
    db.execute("INSERT INTO memory (key, value) VALUES ('a', '1')")
    db.execute("SAVEPOINT Inner")
    db.execute("INSERT INTO memory (key, value) VALUES ('b', '2')")
    db.execute("ROLLBACK TO SAVEPOINT inner")
    with pytest.raises(agentlake.Error) as missing:
        db.execute('RELEASE SAVEPOINT "outer step"')
    assert missing.value.sqlstate == "3B001"
    db.execute("ROLLBACK")
    db.execute("BEGIN")
    db.execute('SAVEPOINT "Outer Step"')
    db.execute("INSERT INTO memory (key, value) VALUES ('c', '3')")
    db.execute('RELEASE "Outer Step"')
    db.execute("COMMIT")
    assert db.execute("SELECT key FROM memory ORDER BY key").fetchall() == [("c",)]


def test_serial_values_never_collide_across_branches(repo_url):
    main = agentlake.connect(repo_url)
    main.execute("CREATE TABLE events (id bigserial PRIMARY KEY, what text NOT NULL)")
    a = agentlake.connect(repo_url, branch="a")
    b = agentlake.connect(repo_url, branch="b")
    ids = set()
    for conn in (a, b, a, b):
        ids.add(conn.execute("INSERT INTO events (what) VALUES ('x') RETURNING id").fetchone()[0])
    assert len(ids) == 4


def test_schema_evolution_and_ctas(db):
    db.execute("INSERT INTO memory (key, value) VALUES ('a', '1')")
    db.execute("ALTER TABLE memory ADD COLUMN score double precision")
    db.execute("ALTER TABLE memory RENAME COLUMN value TO body")
    db.execute("INSERT INTO memory (key, body, score) VALUES ('b', '2', 0.5)")
    assert db.execute("SELECT key, body, score FROM memory ORDER BY key").fetchall() == [
        ("a", "1", None),
        ("b", "2", 0.5),
    ]
    db.execute("ALTER TABLE memory DROP COLUMN score")
    db.execute("CREATE TABLE copy AS SELECT key, body FROM memory WHERE key = 'b'")
    db.execute("ALTER TABLE copy RENAME TO renamed")
    assert db.execute("SELECT * FROM renamed").fetchall() == [("b", "2")]
    db.execute("CREATE VIEW recent AS SELECT key FROM memory WHERE body <> '1'")
    assert db.execute("SELECT * FROM recent").fetchall() == [("b",)]
    db.execute("DROP VIEW recent")
    db.execute("DROP TABLE renamed")
    with pytest.raises(agentlake.Error) as err:
        db.execute("SELECT * FROM renamed")
    assert err.value.sqlstate == "42P01"


def test_point_lookup_fast_path_matches_planned_path(db):
    db.executemany("INSERT INTO memory (key, value) VALUES (%s, %s)", [(f"k{i}", f"v{i}") for i in range(50)])
    db.execute("UPDATE memory SET value = 'changed' WHERE key = 'k7'")
    db.execute("DELETE FROM memory WHERE key = 'k8'")
    for key in ("k1", "k7", "k8", "missing"):
        fast = db.execute("SELECT key, value FROM memory WHERE key = %s", [key]).fetch_arrow()
        planned = db.execute("SELECT key, value FROM memory WHERE key = %s AND true", [key]).fetch_arrow()
        assert fast.to_pylist() == planned.to_pylist()
        assert fast.schema.names == planned.schema.names
        assert [f.type for f in fast.schema] == [f.type for f in planned.schema]


def test_branch_functions_in_sql(repo_url, db):
    db.execute("INSERT INTO memory (key, value) VALUES ('a', '1')")
    assert db.execute("SELECT agentlake.branch('feature')").fetchone() == ("feature",)
    db.execute("SET agentlake.branch = 'feature'")
    db.execute("INSERT INTO memory (key, value) VALUES ('b', '2')")
    assert db.execute("SHOW agentlake.branch").fetchone() == ("feature",)
    assert db.execute("SELECT agentlake.current_branch()").fetchone() == ("feature",)
    commit = db.execute("SELECT agentlake.merge('main')").fetchone()[0]
    assert len(commit) == 32
    log = db.execute("SELECT agentlake.log('main')").fetch_arrow()
    assert log.column("commit")[0].as_py() == commit
    main = agentlake.connect(repo_url)
    assert main.execute("SELECT count(*) FROM memory").fetchone() == (2,)


def test_settings(db):
    assert db.execute("SHOW standard_conforming_strings").fetchone() == ("on",)
    assert db.execute("SHOW transaction isolation level").fetchone()[0] == "read committed"
    db.execute("SET application_name = 'agent-7'")
    assert db.execute("SHOW application_name").fetchone() == ("agent-7",)
    db.execute("RESET application_name")
    assert db.execute("SHOW application_name").fetchone() == ("",)
    with pytest.raises(agentlake.Error) as err:
        db.execute("SET agentlake.executor = 'quantum'")
    assert err.value.sqlstate == "22023"


def test_types_round_trip(repo_url):
    db = agentlake.connect(repo_url)
    db.execute(
        "CREATE TABLE t (i2 int2, i4 int4, i8 int8, r real, d double precision, n numeric(10,2), s text, "
        "b bool, dt date, ts timestamp, tz timestamptz, j jsonb, by bytea, arr int4[], e vector(3))"
    )
    values = [
        1,
        2,
        3,
        1.5,
        2.25,
        "12.34",
        "txt",
        True,
        dt.date(2024, 1, 2),
        dt.datetime(2024, 1, 2, 3, 4, 5),
        dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
        {"a": [1, 2]},
        b"\x00\x01",
        [1, 2, 3],
        np.array([1, 2, 3], dtype=np.float32),
    ]
    db.execute("INSERT INTO t VALUES (" + ", ".join(["%s"] * len(values)) + ")", values)
    row = db.execute("SELECT * FROM t").fetchone()
    assert row[:5] == (1, 2, 3, 1.5, 2.25)
    assert str(row[5]) == "12.34"
    assert row[6:11] == (
        "txt",
        True,
        dt.date(2024, 1, 2),
        dt.datetime(2024, 1, 2, 3, 4, 5),
        dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
    )
    assert row[11] == {"a": [1, 2]}
    assert row[12] == b"\x00\x01" and row[13] == [1, 2, 3]
    assert np.allclose(row[14], [1, 2, 3])
    schema = db.execute("SELECT e FROM t").fetch_arrow().schema
    assert pa.types.is_fixed_size_list(schema.field("e").type)


def test_numbers_into_numeric_round_half_away_from_zero(repo_url):
    """Decimal and float parameters, glued placeholders ($1,$2) and computed values all fit the scale."""
    db = agentlake.connect(repo_url)
    db.execute("CREATE TABLE m (id int, a numeric(10,1))")
    db.execute("INSERT INTO m VALUES (%s,%s), (%s,%s)", [1, Decimal("3.25"), 2, Decimal("-3.25")])
    db.execute("INSERT INTO m VALUES ($1,$2)", [3, 1.05])
    db.execute("INSERT INTO m SELECT 4, 2.25 + 0")
    assert db.execute("SELECT id, a FROM m ORDER BY id").fetchall() == [
        (1, Decimal("3.3")),
        (2, Decimal("-3.3")),
        (3, Decimal("1.1")),
        (4, Decimal("2.3")),
    ]


def test_describe_plans_columns_without_running(repo_url):
    db = agentlake.connect(repo_url)
    db.execute("CREATE TABLE d (id bigint PRIMARY KEY, name text, e vector(2))")
    schema = db.describe("SELECT id, name, e <-> $1 AS dist FROM d WHERE id > $2 ORDER BY dist LIMIT 3")
    assert [(f.name, f.type) for f in schema] == [("id", pa.int64()), ("name", pa.string()), ("dist", pa.float64())]
    assert db.describe("INSERT INTO d (id) VALUES ($1)") is None
    assert db.execute("SELECT count(*) FROM d").fetchone() == (0,)
    returning = db.describe("UPDATE d SET name = $1 WHERE id = $2 RETURNING id, upper(name) AS shout")
    assert [(f.name, f.type) for f in returning] == [("id", pa.int64()), ("shout", pa.string())]
    with pytest.raises(agentlake.Error):
        db.describe("SELECT 1; SELECT 2")


def test_constant_fast_path_matches_planned_path(repo_url):
    db = agentlake.connect(repo_url)
    for sql in ("SELECT 1", "SELECT 'x' AS a, true AS b, NULL AS c", "SELECT -5 AS n"):
        fast = db.execute(sql).fetch_arrow()
        planned = db.execute(sql + " WHERE true").fetch_arrow()
        assert fast.schema == planned.schema and fast.to_pylist() == planned.to_pylist(), sql
        assert "constant (no planning)" in db.execute("EXPLAIN ANALYZE " + sql).fetchall()[0][0]


def test_router_explains_and_dask_matches_local(repo_url):
    db = agentlake.connect(repo_url)
    db.execute("CREATE TABLE t (id int PRIMARY KEY, g text, v double precision)")
    db.executemany("INSERT INTO t VALUES (%s, %s, %s)", [(i, f"g{i % 3}", i * 1.5) for i in range(30)])
    db.execute("DELETE FROM t WHERE id < 3")
    query = "SELECT g, count(*) AS n, sum(v) AS s FROM t GROUP BY g ORDER BY g"
    local = db.execute(query).fetchall()
    plan = db.execute("EXPLAIN " + query).fetchall()
    assert plan[0][0].startswith("agentlake route: local (27 input rows")
    db.execute("SET agentlake.executor = 'dask'")
    assert db.execute(query).fetchall() == local
    assert "dask" in db.execute("EXPLAIN " + query).fetchall()[0][0]


def test_context_sees_a_branch_of_the_repository(repo_url):
    db = agentlake.connect(repo_url)
    db.execute("CREATE TABLE ev (user_id int, kind text)")
    db.executemany("INSERT INTO ev VALUES (%s, %s)", [(i % 4, "x") for i in range(20)])
    db.execute("DELETE FROM ev WHERE user_id = 0")
    agent = agentlake.connect(repo_url, branch="agent")
    agent.execute("INSERT INTO ev VALUES (9, 'agent only')")
    query = "SELECT user_id, count(*) AS n FROM ev GROUP BY 1 ORDER BY 1"
    main_frame = agentlake.Context(repo_url).sql(query, return_futures=False)
    assert main_frame.values.tolist() == [[1, 5], [2, 5], [3, 5]]
    agent_frame = agentlake.Context(repo_url, branch="agent").sql(query, return_futures=False)
    assert agent_frame.values.tolist()[-1] == [9, 1]


def test_placeholders_without_spaces(repo_url):
    db = agentlake.connect(repo_url)
    assert db.execute("SELECT %s,%s", [1, "a"]).fetchall() == [(1, "a")]


def test_catalog_views_answer_through_the_python_api(repo_url):
    """pg_catalog and information_schema, which PostgreSQL tools read over the wire, answer an
    embedded connection too, and follow its branch's tables."""
    db = agentlake.connect(repo_url)
    db.execute("CREATE TABLE docs (id bigint PRIMARY KEY, title text, embedding vector(3))")
    db.execute("CREATE UNIQUE INDEX docs_title_key ON docs (title)")
    assert db.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'docs' ORDER BY 1").fetchall() == [
        ("docs_pkey", "CREATE UNIQUE INDEX docs_pkey ON public.docs USING btree (id)"),
        ("docs_title_key", "CREATE UNIQUE INDEX docs_title_key ON public.docs USING btree (title)"),
    ]
    columns = db.execute(
        "SELECT column_name, udt_name FROM information_schema.columns WHERE table_name = 'docs' "
        "ORDER BY ordinal_position"
    ).fetchall()
    assert columns == [("id", "int8"), ("title", "text"), ("embedding", "vector")]
    db.execute("CREATE TABLE later (x int)")
    assert db.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'later'").fetchone() == (1,)
