"""Post-commit work runs as jobs off the commit path: a failing index build never reaches the
statement that committed, jobs retry and drain, the queue is bounded, and every job is visible
(``SELECT * FROM agentlake.jobs``, ``agentlake status``)."""

from __future__ import annotations

import threading

import numpy as np
import pyarrow as pa
import pytest
from click.testing import CliRunner

import agentlake
from agentlake.cli import main as cli
from catalog.jobs import published_jobs

ROWS, DIM = 3000, 4  # past the size from which a file gets its own index


def _vectors(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)


def _rows(start: int, vectors: np.ndarray) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(np.arange(start, start + len(vectors)), pa.int64()),
            "e": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), DIM),
        }
    )


@pytest.fixture
def db(tmp_path):
    db = agentlake.connect(str(tmp_path / "repo"))
    db.execute(f"CREATE TABLE items (id bigint PRIMARY KEY, e vector({DIM}))")
    db.execute("SET agentlake.vector_exact_threshold = 0")
    return db


def _jobs(db, where: str = "true") -> list[tuple]:
    return db.execute(f"SELECT kind, state, attempts, error FROM agentlake.jobs WHERE {where} ORDER BY id").fetchall()


def _hold(db) -> threading.Event:
    """Occupy the repository's one worker until the returned event is set."""
    release = threading.Event()
    db.repository.jobs.submit("test", "hold the worker", lambda: release.wait(60))
    return release


def _route(db, sql: str, params) -> str:
    lines = [r[0] for r in db.execute(f"EXPLAIN ANALYZE {sql}", params).fetchall()]
    return next(line for line in lines if line.startswith("agentlake route"))


def test_failing_build_leaves_commit_acknowledged_and_shows_as_failed(db):
    def broken(repo, branch, table, manifest, files):
        raise OSError("disk on fire")

    db.repository.add_file_hook(broken, kind="broken build")
    db.execute("INSERT INTO items VALUES (1, '[1,2,3,4]')")  # returns: the commit happened
    assert db.execute("SELECT count(*) FROM items").fetchone() == (1,)
    assert db.repository.jobs.wait_idle(30)
    assert _jobs(db, "kind = 'broken build'") == [("broken build", "failed", 3, "OSError: disk on fire")]
    result = CliRunner().invoke(cli, ["status", "--repo", db.repository.storage.url])
    assert result.exit_code == 0, result.output
    assert "1 failed" in result.output
    [record] = published_jobs(db.repository.storage).values()  # what the command reads, from any process
    assert [(j["kind"], j["state"], j["error"]) for j in record["jobs"]] == [
        ("broken build", "failed", "OSError: disk on fire")
    ]


def test_a_job_that_fails_once_is_retried(db):
    calls = []

    def flaky(repo, branch, table, manifest, files):
        calls.append(table)
        if len(calls) == 1:
            raise RuntimeError("transient")

    db.repository.add_file_hook(flaky, kind="flaky build")
    db.execute("INSERT INTO items VALUES (1, '[1,2,3,4]')")
    assert db.repository.jobs.wait_idle(30)
    assert _jobs(db, "kind = 'flaky build'") == [("flaky build", "done", 2, "RuntimeError: transient")]


def test_topk_is_exact_while_the_index_is_built_then_uses_it(db):
    db.execute("CREATE INDEX ON items USING hnsw (e vector_l2_ops)")
    release = _hold(db)
    vectors = _vectors(ROWS, 1)
    db.load_arrow("items", _rows(0, vectors))  # acknowledged while its index build waits
    assert [row[1] for row in _jobs(db, "kind = 'index build'")] == ["queued"]
    query = vectors[17] + 0.01
    sql = "SELECT id FROM items ORDER BY e <-> %s LIMIT 10"
    truth = list(np.argsort(((vectors - query) ** 2).sum(axis=1), kind="stable")[:10])
    assert "exact over" in _route(db, sql, [query])
    assert [r[0] for r in db.execute(sql, [query]).fetchall()] == truth
    release.set()
    assert db.repository.jobs.wait_idle(60)
    assert "hnsw" in _route(db, sql, [query]) and "exact over" not in _route(db, sql, [query])
    assert _jobs(db, "kind = 'index build'") == [("index build", "done", 1, None)]


def test_jobs_drain(db):
    db.execute("CREATE INDEX ON items USING hnsw (e vector_l2_ops)")
    for batch in range(4):
        db.load_arrow("items", _rows(batch * ROWS, _vectors(ROWS, batch)))
    assert db.repository.jobs.wait_idle(120)
    assert {row[1] for row in _jobs(db, "kind = 'index build'")} == {"done"}
    assert db.execute("SELECT count(*) FROM agentlake.jobs WHERE state IN ('queued', 'running')").fetchone() == (0,)


def test_queue_is_bounded_and_commits_still_succeed(db):
    db.execute("CREATE INDEX ON items USING hnsw (e vector_l2_ops)")
    db.repository.jobs.capacity = 3
    release = _hold(db)  # one of the three places
    for i in range(5):
        db.execute("INSERT INTO items VALUES (%s, '[1,1,1,1]')", [i])
    assert db.execute("SELECT count(*) FROM items").fetchone() == (5,)
    states = [row[1:] for row in _jobs(db, "kind = 'index build'")]
    assert states.count(("failed", 0, "job queue is full (3 jobs)")) == 3 and len(states) == 5
    release.set()
    assert db.repository.jobs.wait_idle(30)
    assert [row[1] for row in _jobs(db, "kind = 'index build' AND error IS NULL")] == ["done", "done"]


def test_create_index_concurrently_returns_at_once_and_builds_as_a_job(db):
    db.load_arrow("items", _rows(0, _vectors(ROWS, 2)))
    release = _hold(db)
    db.execute("CREATE INDEX CONCURRENTLY items_e ON items USING hnsw (e vector_l2_ops)")  # not waiting
    assert _jobs(db, "kind = 'index build'") == [("index build", "queued", 0, None)]
    release.set()
    assert db.repository.jobs.wait_idle(60)
    assert _jobs(db, "kind = 'index build'") == [("index build", "done", 1, None)]
    assert "hnsw" in _route(db, "SELECT id FROM items ORDER BY e <-> %s LIMIT 3", [[0, 0, 0, 0]])
    db.execute("BEGIN")
    with pytest.raises(agentlake.ProgrammingError, match="cannot run inside a transaction block") as raised:
        db.execute("CREATE INDEX CONCURRENTLY other ON items USING hnsw (e vector_cosine_ops)")
    assert raised.value.sqlstate == "25001"
    db.execute("ROLLBACK")


def test_plain_create_index_waits_for_its_build(db):
    db.load_arrow("items", _rows(0, _vectors(ROWS, 3)))
    db.execute("CREATE INDEX items_e ON items USING hnsw (e vector_l2_ops)")
    assert "exact over" not in _route(db, "SELECT id FROM items ORDER BY e <-> %s LIMIT 3", [[0, 0, 0, 0]])
