"""Agent processes for the concurrent-merge test: branch, write disjoint keys, merge into main."""

from __future__ import annotations

import pyarrow.compute as pc
from catalog_helpers import items

from catalog import ConflictError, Repository


def agents(url: str, worker: int, count: int) -> tuple[int, int]:
    """Run ``count`` agents one after another; returns (merged, failed with 40001)."""
    repo = Repository.open(url, create=False)
    merged = failed = 0
    for i in range(count):
        branch = f"w{worker}-{i}"
        repo.create_branch(branch)
        tx = repo.begin(branch)
        tx.append("items", items([1000 + 100 * worker + 2 * i, 1001 + 100 * worker + 2 * i]))
        tx.update_where("items", {"qty": 1}, pc.field("id") == worker * count + i)
        tx.commit("agent work")
        try:
            repo.merge(branch, "main")
            merged += 1
        except ConflictError:
            failed += 1
        repo.delete_branch(branch)
    return merged, failed
