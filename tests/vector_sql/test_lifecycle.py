"""Indexes belong to data files: they survive branch, merge, compaction and GC.

Each step is checked by what a user sees — EXPLAIN ANALYZE names the index and no file
is searched exactly — and by answers against the numpy reference.
"""

from __future__ import annotations

import numpy as np

import agentlake

from .conftest import ANN_DIM, ANN_FILES, route
from .reference import Rows, clustered, items, recall

K = 10
TOPK = f"SELECT id FROM items ORDER BY embedding <-> %s LIMIT {K}"


def index_files(repo_url: str) -> set[str]:
    from pathlib import Path

    return {p.name for p in Path(repo_url).rglob("*.idx")}


def answers(db, queries) -> np.ndarray:
    return np.array([[r[0] for r in db.execute(TOPK, [q]).fetchall()] for q in queries])


def settled(db) -> None:
    """Index builds run as jobs after the commit that added their files: wait for them to drain."""
    assert db.repository.jobs.wait_idle(120), db.repository.jobs.jobs()


def assert_index_answers(db, rows: Rows, queries, files: int) -> None:
    settled(db)
    strategy = route(db, TOPK, [queries[0]])
    assert "hnsw" in strategy and "exact over" not in strategy, strategy
    assert f"in {files} file" in strategy, strategy
    truth = np.array([rows.topk(q, K, "l2")[0] for q in queries])
    assert recall(answers(db, queries), truth) >= 0.95


def test_branch_shares_indexes_without_building(ann, repo_url):
    db, rows, queries = ann
    before = index_files(repo_url)
    agent = agentlake.connect(repo_url, branch="agent-7")
    agent.execute("SET agentlake.vector_exact_threshold = 0")
    assert_index_answers(agent, rows, queries[:10], files=2)
    assert index_files(repo_url) == before


def test_merge_brings_new_files_with_their_indexes(ann, repo_url):
    db, rows, queries = ann
    agent = agentlake.connect(repo_url, branch="agent-8")
    agent.execute("SET agentlake.vector_exact_threshold = 0")
    new = Rows(np.arange(50_000, 53_000), clustered(3000, ANN_DIM, seed=11))
    agent.load_arrow("items", items(new.ids, new.vectors))
    merged = rows.copy()
    merged.insert(new.ids, new.vectors)
    assert_index_answers(agent, merged, queries[:10], files=3)
    agent.merge("main")
    assert_index_answers(db, merged, queries[:10], files=3)


def test_compaction_indexes_the_rewritten_file(ann, repo_url):
    db, rows, queries = ann
    db.execute("DELETE FROM items WHERE bucket < 100")
    rows.delete(rows.ids[rows.mask(bucket_below=100)])
    db.repository.compact("main", ["items"])
    assert_index_answers(db, rows, queries[:10], files=1)


def test_many_small_commits_compact_and_stay_indexed(ann, repo_url):
    """One-row commits past the compaction threshold fold into one file; its rows are found and it is indexed."""
    db, rows, queries = ann
    count = db.repository.compaction_threshold + 4
    targets = clustered(count, ANN_DIM, seed=13)
    new_ids = np.arange(90_000, 90_000 + count)
    for row_id, vector in zip(new_ids, targets):  # each new row sits on its own query point: it must come first
        db.execute("INSERT INTO items VALUES (%s, %s, %s, %s)", [int(row_id), 1, "completed", vector])
    rows.insert(new_ids, targets)
    assert db.repository.compactor.wait_idle(60)  # compaction runs in the background, off the commits' path
    settled(db)  # and the folded file's index is built by a job after it
    files = len(db.repository.snapshot("main").tables["items"].files)
    assert files < ANN_FILES + count, "the one-row commits should have been compacted"
    for row_id, vector in zip(new_ids, targets):
        assert db.execute(TOPK, [vector]).fetchone()[0] == row_id
    strategy = route(db, TOPK, [queries[0]])
    assert "hnsw" in strategy, strategy
    truth = np.array([rows.topk(q, K, "l2")[0] for q in queries[:10]])
    assert recall(answers(db, queries[:10]), truth) >= 0.95


def test_gc_removes_indexes_of_dropped_files_only(ann, repo_url):
    db, rows, queries = ann
    scratch = agentlake.connect(repo_url, branch="scratch")
    extra = Rows(np.arange(70_000, 73_000), clustered(3000, ANN_DIM, seed=12))
    scratch.load_arrow("items", items(extra.ids, extra.vectors))
    settled(scratch)
    with_scratch = index_files(repo_url)
    scratch.close()
    db.repository.delete_branch("scratch")
    report = db.repository.gc(grace=0)
    assert report.index_files >= 1
    left = index_files(repo_url)
    assert left < with_scratch and left
    fresh = agentlake.connect(repo_url, branch="main")
    fresh.execute("SET agentlake.vector_exact_threshold = 0")
    assert_index_answers(fresh, rows, queries[:10], files=2)
