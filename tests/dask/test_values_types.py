"""A VALUES list joined on the Dask route keeps the planned column types: ``VALUES (1), (2)`` is
int4 (as in PostgreSQL), and the compiler built it as pandas' int64, so a join with an int4 column
merged mismatched keys (dask warned) and the result's type differed from the local route's."""

from __future__ import annotations

import warnings

import agentlake

QUERY = "SELECT e.name, v.n, v.s FROM emp e JOIN (VALUES (1, 'x'), (2, 'y')) AS v(n, s) ON v.n = e.dept_id"


def test_values_joined_on_dask_match_the_local_route(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENTLAKE_DASK_SCHEDULER", "synchronous")  # the router sees a Dask cluster
    local = agentlake.connect(str(tmp_path / "repo"))
    local.execute("SET agentlake.executor = 'local'")
    local.execute("CREATE TABLE emp (id int PRIMARY KEY, name text, dept_id int)")
    local.execute("INSERT INTO emp VALUES (1, 'ada', 1), (2, 'bo', 2), (3, 'cy', 3)")
    expected = local.execute(QUERY).fetch_arrow()

    db = agentlake.connect(local.repository)
    db.execute("SET agentlake.dask_threshold_rows = 1")  # any rows at all go to the compiler
    assert db.execute("EXPLAIN ANALYZE " + QUERY).fetchone()[0].startswith("agentlake route: dask")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # dask's merge warns of mismatched key types
        got = db.execute(QUERY).fetch_arrow()
    assert got.schema.field("n").type == expected.schema.field("n").type
    assert sorted(got.to_pylist(), key=str) == sorted(expected.to_pylist(), key=str)
