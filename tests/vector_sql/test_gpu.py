"""cuVS CAGRA through SQL and the batch API (runs only where a GPU is present)."""
from __future__ import annotations

import numpy as np
import pytest

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
