"""Filtered top-k returns k rows whenever k rows match, at 0.1%, 1%, 10% and 50% selectivity.

Run twice: with the index forced (the filter pushed into HNSW with over-fetch), and on
the default settings (the engine picks exact search for selective filters).
"""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import route
from .reference import recall

K = 10
SELECTIVITY = {"0.1%": 1, "1%": 10, "10%": 100, "50%": 500}  # bucket < n selects n/1000 of the rows


@pytest.mark.parametrize("mode", ["index", "default"])
@pytest.mark.parametrize("share", list(SELECTIVITY))
def test_filtered_topk_returns_k_rows(ann, share, mode):
    db, rows, queries = ann
    if mode == "default":
        db.execute("RESET agentlake.vector_exact_threshold")
    below = SELECTIVITY[share]
    mask = rows.mask(bucket_below=below)
    assert mask.sum() >= K
    sql = f"SELECT id, bucket FROM items WHERE bucket < %s ORDER BY embedding <-> %s LIMIT {K}"
    found = []
    for query in queries[:10]:
        got = db.execute(sql, [below, query]).fetchall()
        assert len(got) == K, (share, mode)
        assert all(bucket < below for _, bucket in got)
        found.append([r[0] for r in got])
    truth = np.array([rows.topk(q, K, "l2", mask)[0] for q in queries[:10]])
    assert recall(np.array(found), truth) >= 0.95
    if mode == "index" and share != "0.1%":
        assert "with filter" in route(db, sql, [below, queries[0]])


@pytest.mark.parametrize("share", list(SELECTIVITY))
def test_filtered_batch_search_returns_k_rows(ann, share):
    db, rows, queries = ann
    below = SELECTIVITY[share]
    result = db.search("items", "embedding", queries, k=K, where="bucket < %s", params=[below], columns=["bucket"])
    assert not np.isnan(result.distances).any()
    assert all(b < below for b in result.columns["bucket"].reshape(-1))
    truth = np.array([rows.topk(q, K, "l2", rows.mask(bucket_below=below))[0] for q in queries])
    assert recall(result.ids.astype(np.int64), truth) >= 0.95


def test_fewer_matches_than_k_returns_all_matches(ann):
    db, rows, queries = ann
    mask = rows.mask(bucket_below=1) & (rows.ids < 5000)  # ids 0, 1000, ..., 4000: five rows
    got = db.execute(
        f"SELECT id FROM items WHERE bucket < 1 AND id < 5000 ORDER BY embedding <-> %s LIMIT {K}", [queries[0]]
    ).fetchall()
    want = rows.topk(queries[0], K, "l2", mask)[0]
    assert sorted(r[0] for r in got) == sorted(want.tolist()) and len(got) == 5


def test_filter_sees_an_updated_row_as_it_is_now(db):
    """The filter runs over decoded files, deleted versions included: a row updated so that it no
    longer matches must not pass through its old version, and one updated so that it matches must."""
    db.execute("CREATE TABLE notes (id bigint PRIMARY KEY, status text, embedding vector(3))")
    db.executemany(
        "INSERT INTO notes VALUES (%s, %s, %s)", [(i, "open", np.array([i, 0, 0], np.float32)) for i in range(40)]
    )
    sql = "SELECT id FROM notes WHERE status = 'open' ORDER BY embedding <-> %s LIMIT 3"
    near = np.array([7.2, 0, 0], np.float32)
    for _ in range(2):  # the first query decodes the files; the second filters them in memory
        assert [r[0] for r in db.execute(sql, [near]).fetchall()] == [7, 8, 6]
    db.execute("UPDATE notes SET status = 'closed' WHERE id = 7")
    db.execute("UPDATE notes SET status = 'open', embedding = %s WHERE id = 30", [np.array([7.3, 0, 0], np.float32)])
    for _ in range(2):
        assert [r[0] for r in db.execute(sql, [near]).fetchall()] == [30, 8, 6]
    assert "filter evaluated in memory" in route(db, sql, [near])
    found = db.search("notes", "embedding", [near, near], k=3, columns=["status"])  # values as the rows are now
    assert (
        found.ids.tolist() == [[30, 7, 8]] * 2 and found.columns["status"].tolist() == [["open", "closed", "open"]] * 2
    )
