"""``x op ALL (S)`` and ``x op ANY (S)`` give the same rows on Dask and Polars as on the local
engine, every time.

The front end plans ``x > ALL (S)`` as two scalar subqueries over S (its count and its max). The
compilers once told subqueries apart by the ``id()`` of DataFusion's wrapper objects, which are
new at every look; when the count's wrapper was freed, the max's could get its id and be answered
with the count, and every row passed. That happened in a few runs out of a hundred, so each query
here runs many times on a fresh connection.
"""

from __future__ import annotations

import pytest

import agentlake
from agentlake.engine import router
from agentlake.executors.polars import run_on_polars

QUERIES = [
    "SELECT name FROM emp WHERE salary > ALL (SELECT salary FROM emp WHERE dept_id = 2 OR dept_id = 1 AND id = 2)",
    "SELECT name FROM emp WHERE salary <= ALL (SELECT salary FROM emp WHERE dept_id = 2)",
    "SELECT name FROM emp WHERE salary >= ANY (SELECT salary FROM emp WHERE dept_id = 1)",
    "SELECT name FROM emp WHERE salary > ALL (SELECT salary FROM emp WHERE dept_id = 9)",
    "SELECT name FROM emp WHERE salary < ANY (SELECT salary FROM emp WHERE dept_id = 9)",
]
RUNS = 12


def _rows(db, sql: str) -> list:
    return sorted(db.execute(sql).fetchall())


@pytest.mark.parametrize("engine", ["dask", "polars"])
def test_quantified_subqueries_match_the_local_engine_on_every_run(tmp_path, monkeypatch, engine):
    monkeypatch.setenv("AGENTLAKE_DASK_SCHEDULER", "synchronous")  # the router sees a Dask cluster
    if engine == "polars":
        monkeypatch.setattr(
            router, "run_on_dask", lambda session, stmt, gpu, computed: run_on_polars(session, stmt, False, computed)
        )
    local = agentlake.connect(str(tmp_path / "repo"))
    local.execute("SET agentlake.executor = 'local'")
    local.execute("CREATE TABLE emp (id int PRIMARY KEY, name text, dept_id int, salary int)")
    local.execute(
        "INSERT INTO emp VALUES (1, 'ada', 1, 300), (2, 'bo', 1, 200), (3, 'cy', 2, 150), (4, 'di', NULL, 100),"
        " (5, 'ed', 2, 150)"
    )
    expected = {sql: _rows(local, sql) for sql in QUERIES}
    assert expected[QUERIES[0]] == [("ada",)]
    assert expected[QUERIES[1]] == [("cy",), ("di",), ("ed",)]
    assert expected[QUERIES[3]] == [(n,) for n in ("ada", "bo", "cy", "di", "ed")]  # ALL of nothing holds
    assert expected[QUERIES[4]] == []  # ANY of nothing does not

    for _ in range(RUNS):
        db = agentlake.connect(local.repository)
        db.execute("SET agentlake.dask_threshold_rows = 1")  # any rows at all go to the compiler
        assert db.execute("EXPLAIN ANALYZE " + QUERIES[0]).fetchone()[0].startswith("agentlake route: dask")
        for sql in QUERIES:
            assert _rows(db, sql) == expected[sql], sql
        db.close()
