"""cuVS CAGRA through SQL and the batch API (runs only where a GPU is present)."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import route
from .reference import recall

pytestmark = pytest.mark.gpu


def test_cagra_index_recall_through_batch_search(ann):
    db, rows, queries = ann
    db.execute("CREATE INDEX items_cagra ON items USING cagra (embedding vector_l2_ops)")
    db.execute("DROP INDEX items_hnsw_l2")
    result = db.search("items", "embedding", queries, k=10, metric="l2")
    assert "cagra" in result.strategy, result.strategy
    truth = np.array([rows.topk(q, 10, "l2")[0] for q in queries])
    assert recall(result.ids.astype(np.int64), truth) >= 0.95


def test_cagra_filtered_topk_returns_k_rows(ann):
    db, rows, queries = ann
    db.execute("DROP INDEX items_hnsw_l2")
    db.execute("CREATE INDEX items_cagra ON items USING cagra (embedding vector_l2_ops)")
    result = db.search("items", "embedding", queries, k=10, where="bucket < %s", params=[10])
    assert not np.isnan(result.distances).any()
    truth = np.array([rows.topk(q, 10, "l2", rows.mask(bucket_below=10))[0] for q in queries])
    assert recall(result.ids.astype(np.int64), truth) >= 0.95


def test_cagra_cosine_through_sql_sees_a_row_deleted_after_the_build(ann):
    """The GPU index answers a plain SQL top-k; rows changed after the build are still right."""
    db, rows, queries = ann
    db.execute("DROP INDEX items_hnsw_cos")
    db.execute("CREATE INDEX items_cagra_cos ON items USING cagra (embedding vector_cosine_ops)")
    sql = "SELECT id FROM items ORDER BY embedding <=> %s LIMIT 10"
    strategy = route(db, sql, [queries[0]])
    assert "cagra" in strategy and "exact over" not in strategy, strategy
    nearest = [r[0] for r in db.execute(sql, [queries[0]]).fetchall()]
    db.execute("DELETE FROM items WHERE id = %s", [nearest[0]])
    found = np.array([[r[0] for r in db.execute(sql, [q]).fetchall()] for q in queries[:20]])
    rows.delete([nearest[0]])
    truth = np.array([rows.topk(q, 10, "cosine")[0] for q in queries[:20]])
    assert nearest[0] not in found
    assert recall(found, truth) >= 0.95
