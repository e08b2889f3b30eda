"""``db.search``: many queries at once, with a filter, requested columns and every metric."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import agentlake

from .conftest import EXACT
from .reference import OPERATORS


@pytest.mark.parametrize("metric", list(OPERATORS))
def test_batch_equals_numpy_with_filter_and_columns(indexed, queries, metric):
    db, rows = indexed
    db.execute(EXACT)
    result = db.search(
        "items",
        "embedding",
        queries,
        k=6,
        where="status = %s AND bucket < %s",
        params=["running", 400],
        metric=metric,
        columns=["status", "bucket"],
    )
    assert result.ids.dtype == np.int64 and result.columns["bucket"].dtype == np.int32  # no Python object per value
    mask = rows.mask(status="running", bucket_below=400)
    for i, query in enumerate(queries):
        want_ids, want_dist = rows.topk(query, 6, metric, mask)
        assert_array_equal(result.ids[i], want_ids)
        assert_allclose(result.distances[i], want_dist, rtol=1e-5, atol=1e-5)
        assert list(result.columns["status"][i]) == ["running"] * 6
        assert_array_equal(result.columns["bucket"][i].astype(np.int64), want_ids % 1000)


def test_batch_matches_single_queries(indexed, queries):
    db, _ = indexed
    db.execute(EXACT)
    result = db.search("items", "embedding", [list(map(float, q)) for q in queries], k=5, metric="cosine")
    for i, query in enumerate(queries):
        single = db.execute("SELECT id FROM items ORDER BY embedding <=> %s LIMIT 5", [query]).fetchall()
        assert result.ids[i].tolist() == [r[0] for r in single]


def test_short_results_are_padded_and_arrow_drops_padding(indexed, queries):
    db, rows = indexed
    db.execute(EXACT)
    result = db.search(
        "items", "embedding", queries[:2], k=10, where="id < %s AND bucket < %s", params=[3000, 1], columns=["bucket"]
    )  # ids 0, 1000, 2000 match
    assert np.isnan(result.distances[:, 3:]).all() and not np.isnan(result.distances[:, :3]).any()
    assert all(v is None for v in result.ids[:, 3:].reshape(-1))
    table = result.to_arrow()
    assert table.num_rows == 6
    assert set(table.column_names) >= {"query", "rank", "id", "distance", "bucket"}
    assert sorted(table.column("id").to_pylist()[:3]) == [0, 1000, 2000]


def test_bad_arguments_carry_sqlstates(indexed, queries):
    db, _ = indexed
    with pytest.raises(agentlake.Error) as metric:
        db.search("items", "embedding", queries, metric="hamming")
    with pytest.raises(agentlake.DataError) as dims:
        db.search("items", "embedding", np.ones((2, 3), np.float32))
    with pytest.raises(agentlake.Error) as column:
        db.search("items", "missing", queries)
    assert (metric.value.sqlstate, dims.value.sqlstate, column.value.sqlstate) == ("22023", "22000", "42703")


def test_table_without_primary_key_returns_rowids(db):
    db.execute("CREATE TABLE notes (body text, embedding vector(3))")
    db.execute("INSERT INTO notes VALUES ('a', '[1,0,0]'), ('b', '[0,1,0]'), ('c', '[0,0,1]')")
    result = db.search("notes", "embedding", [[0.9, 0.1, 0.0]], k=2, columns=["body"])
    assert list(result.columns["body"][0]) == ["a", "b"]
    assert result.ids.dtype == np.int64 and len(set(result.ids[0].tolist())) == 2
