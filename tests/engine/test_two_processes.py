"""Two operating-system processes writing one repository at the same time.

Each worker is a separate Python process (multiprocessing's spawn context, so
nothing is inherited but the arguments) with its own agentlake connection; a
barrier lines their transactions up so both start from the same commit and
commit together, which is the case optimistic concurrency has to get right.
"""

from __future__ import annotations

import multiprocessing as mp

import pytest

import agentlake

TIMEOUT_S = 120


def _transact(repo: str, branch: str, key: int, level: str, barrier, results) -> None:
    """In one transaction at ``level`` from the commit both started at: bump row 1, insert row
    ``key``, COMMIT."""
    db = agentlake.connect(repo, branch=branch)
    try:
        db.execute(f"BEGIN ISOLATION LEVEL {level}")
        db.execute("SELECT count(*) FROM t")  # the snapshot, before the peer changes anything
        barrier.wait(TIMEOUT_S)
        db.execute("UPDATE t SET v = v + 1, writer = %s WHERE id = 1", [key])
        db.execute("INSERT INTO t (id, v, writer) VALUES (%s, 0, %s)", [key, key])
        db.execute("COMMIT")
        results.put((key, "ok"))
    except agentlake.Error as err:
        results.put((key, err.sqlstate))
    except Exception as err:  # reported to the parent, which fails the test with it
        results.put((key, f"{type(err).__name__}: {err}"))


def _insert_keys(repo: str, branch: str, keys: list[int], barrier, results) -> None:
    """Autocommit inserts, one commit per row, racing the peer's commits."""
    db = agentlake.connect(repo, branch=branch)
    try:
        barrier.wait(TIMEOUT_S)
        for key in keys:
            db.execute("INSERT INTO t (id, v, writer) VALUES (%s, %s, %s)", [key, key, keys[0]])
        results.put((keys[0], "ok"))
    except agentlake.Error as err:
        results.put((keys[0], err.sqlstate))
    except Exception as err:
        results.put((keys[0], f"{type(err).__name__}: {err}"))


def _run_pair(target, args_a: tuple, args_b: tuple) -> dict:
    """Start both workers, wait for both, return {worker id: outcome}."""
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    workers = [ctx.Process(target=target, args=(*args, barrier, results)) for args in (args_a, args_b)]
    for worker in workers:
        worker.start()
    outcomes = dict(results.get(timeout=TIMEOUT_S) for _ in workers)
    for worker in workers:
        worker.join(TIMEOUT_S)
        assert worker.exitcode == 0
    return outcomes


@pytest.fixture
def repo(repo_url) -> str:
    db = agentlake.connect(repo_url)
    db.execute("CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, writer int)")
    db.execute("INSERT INTO t (id, v) VALUES (1, 0)")
    return repo_url


def _rows(repo: str, branch: str) -> list[tuple]:
    return agentlake.connect(repo, branch=branch).execute("SELECT id, v, writer FROM t ORDER BY id").fetchall()


def test_two_processes_on_two_branches_both_commit_in_isolation(repo):
    main = agentlake.connect(repo)
    main.branch("agent-a")
    main.branch("agent-b")
    outcomes = _run_pair(_transact, (repo, "agent-a", 100, "READ COMMITTED"), (repo, "agent-b", 200, "READ COMMITTED"))
    assert outcomes == {100: "ok", 200: "ok"}
    assert _rows(repo, "agent-a") == [(1, 1, 100), (100, 0, 100)]
    assert _rows(repo, "agent-b") == [(1, 1, 200), (200, 0, 200)]
    assert _rows(repo, "main") == [(1, 0, None)]


def test_two_processes_on_one_branch_inserting_distinct_keys_both_land(repo):
    keys_a, keys_b = list(range(1000, 1010)), list(range(2000, 2010))
    outcomes = _run_pair(_insert_keys, (repo, "main", keys_a), (repo, "main", keys_b))
    assert outcomes == {1000: "ok", 2000: "ok"}
    rows = _rows(repo, "main")
    assert [r[0] for r in rows] == [1, *keys_a, *keys_b]
    assert all(v == key for key, v, _ in rows[1:])


def test_two_processes_updating_one_row_one_commits_other_gets_40001(repo):
    """At REPEATABLE READ the second writer of the row waits for the first's lock, then finds the
    row changed since its snapshot: 40001, as in PostgreSQL."""
    outcomes = _run_pair(_transact, (repo, "main", 100, "REPEATABLE READ"), (repo, "main", 200, "REPEATABLE READ"))
    assert sorted(outcomes.values()) == ["40001", "ok"], outcomes
    winner = next(key for key, outcome in outcomes.items() if outcome == "ok")
    # the loser's UPDATE and INSERT are both gone; the winner's are both there
    assert _rows(repo, "main") == [(1, 1, winner), (winner, 0, winner)]


def test_two_processes_updating_one_row_at_read_committed_both_count(repo):
    """At READ COMMITTED the second writer waits for the first's lock, then updates the row as the
    first committed it: both commit and the row counts two."""
    outcomes = _run_pair(_transact, (repo, "main", 100, "READ COMMITTED"), (repo, "main", 200, "READ COMMITTED"))
    assert outcomes == {100: "ok", 200: "ok"}
    rows = _rows(repo, "main")
    assert rows[0][:2] == (1, 2) and rows[1:] == [(100, 0, 100), (200, 0, 200)]
