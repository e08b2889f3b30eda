"""Small builders shared by the catalog tests."""

from __future__ import annotations

import pyarrow as pa

from catalog import Repository

ITEMS = pa.schema([("id", pa.int64()), ("name", pa.string()), ("qty", pa.int64())])


def items(ids, name: str = "x", qty: int = 0) -> pa.Table:
    ids = list(ids)
    return pa.table({"id": ids, "name": [f"{name}{i}" for i in ids], "qty": [qty] * len(ids)}, schema=ITEMS)


def repo_with_items(url: str, n: int = 10, primary_key=("id",), **kwargs) -> Repository:
    """A repository whose main holds table ``items`` with ids 0..n-1."""
    repo = Repository.open(url, **kwargs)
    tx = repo.begin("main")
    tx.create_table("items", ITEMS, list(primary_key))
    if n:
        tx.append("items", items(range(n)))
    tx.commit("create items")
    return repo


def commit_items(repo: Repository, branch: str, ids, message: str | None = None) -> str:
    """Commit rows of ``items`` with these ids on ``branch``; returns the commit id."""
    tx = repo.begin(branch)
    tx.append("items", items(ids))
    return tx.commit(message or f"rows {list(ids)}")


def rows(repo: Repository, ref: str = "main", table: str = "items") -> list[dict]:
    data = repo.snapshot(ref).read(table)
    order = "id" if "id" in data.column_names else data.column_names[0]
    return data.sort_by(order).to_pylist()
