"""Deletion vectors stay ascending and unique however rows go: one or two at a time (added in
place), in big batches (merged whole), again after they are gone."""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc
from catalog_helpers import repo_with_items, rows


def test_rows_deleted_a_few_or_many_at_a_time_leave_exact_deletion_vectors(repo_url):
    repo = repo_with_items(repo_url, n=400)
    rng = np.random.default_rng(7)
    live = set(range(400))
    for round_ in range(60):
        size = 60 if round_ % 15 == 0 else int(rng.integers(1, 4))
        picks = [int(i) for i in rng.choice(400, size=size)]  # repeats, and rows deleted before
        tx = repo.begin("main")
        tx.delete_where("items", pc.field("id").isin(picks))
        tx.commit(f"delete {len(picks)}")
        live -= set(picks)
        assert {row["id"] for row in rows(repo)} == live
        for entry in repo.snapshot("main").manifest("items").files:
            assert (np.diff(entry.deleted) > 0).all() and entry.deleted.dtype == np.int64
            assert len(entry.deleted) <= entry.rows
