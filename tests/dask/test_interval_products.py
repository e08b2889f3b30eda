"""Interval products on the Dask side: constant ones are folded where DataFusion plans them (so a
Context answers them), ones over columns are declined with 0A000, and on ``auto`` the router then
answers on DataFusion, as on ``local``."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import agentlake
from agentlake import Context


def test_a_context_answers_constant_products_and_declines_column_ones():
    ctx = Context()
    ctx.create_table("t", pd.DataFrame({"x": [1, 2]}))
    shifted = ctx.sql("SELECT timestamp '2024-01-01 00:00:00' + 2 * interval '1 hour' AS at FROM t", False)
    assert list(shifted["at"]) == [pd.Timestamp("2024-01-01 02:00:00")] * 2
    with pytest.raises(agentlake.Error) as caught:
        ctx.sql("SELECT x * interval '1 hour' AS span FROM t", False)
    assert caught.value.sqlstate == "0A000"


def test_the_router_answers_column_products_on_datafusion(repo_url, monkeypatch):
    monkeypatch.setenv("AGENTLAKE_DASK_SCHEDULER", "synchronous")  # the router sees a Dask cluster
    db = agentlake.connect(repo_url)
    db.execute("CREATE TABLE t (id bigint PRIMARY KEY, n int)")
    ids = np.arange(1000, dtype=np.int64)
    db.load_arrow("t", pa.table({"id": ids, "n": (ids % 3).astype(np.int32)}))
    db.execute("SET agentlake.dask_threshold_rows = 100")
    query = "SELECT DISTINCT n, n * interval '1 day' / 2 FROM t ORDER BY n"
    route = db.execute("EXPLAIN ANALYZE " + query).fetchone()[0]
    assert route.startswith("agentlake route: local (the dask compiler declined: function interval_")
    rows = db.execute(query).fetchall()
    assert rows == [(0, dt.timedelta(0)), (1, dt.timedelta(hours=12)), (2, dt.timedelta(days=1))]
