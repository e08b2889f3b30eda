"""SQL semantics the Polars compiler must keep, through the engine's router: every query the
router would send to Dask runs on Polars (CPU engine) and must answer as the local engine does;
deleted rows stay deleted; data-dependent errors keep their SQLSTATE; what it cannot run is
declined (0A000), never answered differently."""

from __future__ import annotations

import pytest

import agentlake
from agentlake.engine import router
from agentlake.executors.polars import run_on_polars


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setattr(
        router, "run_on_dask", lambda session, stmt, gpu, computed: run_on_polars(session, stmt, False, computed)
    )
    monkeypatch.setenv("AGENTLAKE_DASK_SCHEDULER", "synchronous")  # on auto, the router sees a cluster
    conn = agentlake.connect(str(tmp_path / "repo"))
    conn.execute("SET agentlake.dask_threshold_rows = 1")
    conn.execute("CREATE TABLE t (id int PRIMARY KEY, g text, x int, d numeric(10, 2))")
    conn.execute(
        "INSERT INTO t VALUES (1, 'a', 10, 1.50), (2, 'a', NULL, 2.25), (3, 'b', 0, 3.00), "
        "(4, 'b', 7, NULL), (5, NULL, 3, 0.75), (6, 'c', 7, 4.10)"
    )
    conn.execute("CREATE TABLE u (id int, v int)")
    conn.execute("INSERT INTO u VALUES (1, 5), (3, 1), (3, 9), (9, 2)")
    conn.execute("DELETE FROM t WHERE id = 6")  # a deletion set on the table's file
    yield conn
    conn.close()


def _rows(db, sql: str, executor: str) -> list[tuple]:
    db.execute(f"SET agentlake.executor = '{executor}'")
    return db.execute(sql).fetchall()


def test_deleted_rows_stay_deleted(db):
    from agentlake.executors.dask.bridge import table_sources

    assert table_sources(db._session.snapshot)["t"].deleted_rowids  # read through a deletion set
    assert _rows(db, "SELECT count(*), max(id) FROM t", "dask") == [(5, 5)]


QUERIES = [
    "SELECT count(*), sum(x), avg(d), min(g), max(d) FROM t",
    "SELECT g, count(x), sum(d), avg(x) FROM t GROUP BY g ORDER BY g NULLS FIRST",
    "SELECT count(DISTINCT x), sum(DISTINCT x) FROM t",
    "SELECT id FROM t WHERE x NOT IN (SELECT v FROM u) ORDER BY id",
    "SELECT id FROM t WHERE x NOT IN (SELECT NULL::int) ORDER BY id",
    "SELECT t.id, u.v FROM t LEFT JOIN u ON t.id = u.id AND u.v > 2 ORDER BY t.id, u.v",
    "SELECT t.id, u.v FROM t FULL JOIN u ON t.id = u.id AND u.v < t.x ORDER BY t.id NULLS LAST, u.v",
    "SELECT id FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.id = t.id AND u.v > t.id) ORDER BY id",
    "SELECT id FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.id = t.id AND u.v > 4) ORDER BY id",
    "SELECT id, CASE WHEN x = 0 THEN 0 ELSE 100 / x END FROM t ORDER BY id",
    "SELECT id, x / 3, x % 3, -x / 3, -x % 3 FROM t ORDER BY id",
    "SELECT id FROM t WHERE x > (SELECT avg(v) FROM u) ORDER BY id",
    "SELECT id, g || '-' || x, substr(g, 1, 1), upper(g), coalesce(x, -1), nullif(x, 7) FROM t ORDER BY id",
    "SELECT id, row_number() OVER (PARTITION BY g ORDER BY id), rank() OVER (ORDER BY x), "
    "dense_rank() OVER (ORDER BY x), sum(x) OVER (PARTITION BY g ORDER BY id) FROM t ORDER BY id",
    "SELECT g, x FROM t UNION SELECT 'z', v FROM u ORDER BY 1 NULLS FIRST, 2",
    "SELECT id FROM t WHERE g LIKE 'a%' OR g ILIKE 'B' ORDER BY id LIMIT 2 OFFSET 1",
]


@pytest.mark.parametrize("sql", QUERIES)
def test_answers_as_the_local_engine(db, sql):
    assert _rows(db, sql, "dask") == _rows(db, sql, "local")


@pytest.mark.parametrize(
    "sql, sqlstate",
    [
        ("SELECT id, 10 / (x - x) FROM t", "22012"),
        ("SELECT id, x % (id - id) FROM t", "22012"),
        ("SELECT id FROM t WHERE x = (SELECT v FROM u)", "21000"),
    ],
)
def test_data_errors_keep_their_sqlstate(db, sql, sqlstate):
    db.execute("SET agentlake.executor = 'dask'")
    with pytest.raises(agentlake.Error) as raised:
        db.execute(sql).fetchall()
    assert raised.value.sqlstate == sqlstate


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, lag(x) OVER (ORDER BY id) FROM t",
        "SELECT count(*) FILTER (WHERE x > 1) FROM t",
        "SELECT CAST(d AS text) FROM t",
    ],
)
def test_declines_what_it_cannot_run_exactly(db, sql):
    db.execute("SET agentlake.executor = 'dask'")  # forced: a decline is raised, not answered locally
    with pytest.raises(agentlake.NotSupportedError):
        db.execute(sql).fetchall()
    assert _rows(db, sql, "auto") == _rows(db, sql, "local")  # on auto the router falls back
