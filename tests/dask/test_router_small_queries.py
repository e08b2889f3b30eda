"""On ``auto`` the router never costs a small query its fast path, even where it would send
larger work to Dask: a primary-key point select answers as on ``local`` (benchmarks/dask_bench.py
times the same pair as ``router_small_query_p50_ms``)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

import agentlake

POINT = "SELECT * FROM t WHERE id = %s"
SCAN = "SELECT grp, count(*) AS n, sum(score) AS s FROM t GROUP BY grp ORDER BY grp"


def _route(db, sql: str, params=None) -> str:
    return db.execute("EXPLAIN " + sql, params).fetchone()[0].removeprefix("agentlake route: ")


def test_point_select_on_auto_takes_the_key_path_where_large_queries_go_to_dask(repo_url, monkeypatch):
    monkeypatch.setenv("AGENTLAKE_DASK_SCHEDULER", "synchronous")  # the router sees a Dask cluster
    db = agentlake.connect(repo_url)
    db.execute("CREATE TABLE t (id bigint PRIMARY KEY, grp int, score double precision)")
    ids = np.arange(1000, dtype=np.int64)
    db.load_arrow("t", pa.table({"id": ids, "grp": (ids % 7).astype(np.int32), "score": ids * 0.5}))
    db.execute("DELETE FROM t WHERE id = 500")
    local = agentlake.connect(db.repository)
    local.execute("SET agentlake.executor = 'local'")
    db.execute("SET agentlake.dask_threshold_rows = 100")  # 1,000 rows count as large on this connection

    assert _route(db, "ANALYZE " + SCAN).startswith("dask (")  # ran on Dask: threshold and cluster are live
    assert db.execute(SCAN).fetchall() == local.execute(SCAN).fetchall()
    for key in (0, 417, 500, 999, 5000):
        assert _route(db, POINT, [key]) == "primary-key lookup (no planning)"
        got = db.execute(POINT, [key]).fetchall()
        assert got == local.execute(POINT, [key]).fetchall()
        assert got == ([] if key in (500, 5000) else [(key, key % 7, key * 0.5)])
