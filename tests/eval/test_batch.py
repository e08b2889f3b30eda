"""run_batch on a real two-process LocalCluster: faults, exactly-once results, resume, merge policies."""

from __future__ import annotations

import cloudpickle
import dask
import pytest
from distributed import Client, LocalCluster

import agentlake
from agentlake.api.connection import open_repository
from agentlake.eval import run_batch
from agentlake.eval.results_table import run_branch

from . import agents

cloudpickle.register_pickle_by_value(agents)  # workers need not find the tests package on their path


@pytest.fixture(scope="module")
def client():
    """One cluster for the module; a task fails on its first dead worker, as in run_batch's own cluster."""
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster, set_as_default=False) as dask_client,
    ):
        yield dask_client


@pytest.fixture
def repo(repo_url) -> str:
    db = agentlake.connect(repo_url)
    db.execute("CREATE TABLE notes (key text PRIMARY KEY, value int)")
    return repo_url


def _results(repo: str, run_id: str) -> dict[str, tuple]:
    db = agentlake.connect(repo, branch=run_branch(run_id), create=False)
    rows = db.execute("SELECT task_id, status, attempts, branch, error FROM eval_results").fetchall()
    return {row[0]: row[1:] for row in rows}


def _executions(log) -> list[str]:
    return log.read_text().split() if log.exists() else []


def test_faults_are_recorded_retried_and_lose_nothing(client, repo, tmp_path):
    special = {7: "raise", 21: "flaky", 42: "hang", 63: "kill"}
    tasks = [
        {"id": i, "value": i, "kind": special.get(i, "ok"), "marker": str(tmp_path / f"marker-{i}")} for i in range(100)
    ]
    report = run_batch(
        repo, tasks, agents.note_agent, client=client, retries=2, timeout=4, run_id="faults", progress=False
    )

    results = _results(repo, "faults")
    db = agentlake.connect(repo, branch=run_branch("faults"), create=False)
    assert db.execute("SELECT count(*), count(DISTINCT task_id) FROM eval_results").fetchone() == (100, 100)
    assert len(report.results) == 100 and report.completed == 99 and report.failed == 1
    status, attempts, branch, error = results["7"]
    assert (status, attempts) == ("failed", 3) and "always fails" in error
    for task_id in ("21", "42", "63"):
        assert results[task_id][0] == "ok" and results[task_id][1] >= 2
    assert all(results[str(i)][0] == "ok" for i in range(100) if i != 7)
    assert report.retried >= 5

    branches = open_repository(repo).branches()
    for attempt in (1, 2, 3):  # every failed attempt keeps its branch, with no expiry
        assert branches[f"eval/faults/7/{attempt}"].expires is None
    for task_id in ("42", "63"):  # the hung and the killed first attempts are kept too
        assert branches[f"eval/faults/{task_id}/1"].expires is None
    for task_id, (status, _, branch, _) in results.items():
        if status == "ok":
            assert branches[branch].expires is not None
            episode = agentlake.connect(repo, branch=branch, create=False)
            assert episode.execute("SELECT key, value FROM notes").fetchall() == [(f"k{task_id}", int(task_id))]
    assert agentlake.connect(repo).execute("SELECT count(*) FROM notes").fetchone()[0] == 0


def test_rerun_with_the_same_run_id_runs_only_unfinished_tasks(client, repo, tmp_path):
    log, marker = tmp_path / "runs.log", tmp_path / "fixed"
    tasks = [
        {"id": i, "value": i, "kind": "until" if i >= 6 else "ok", "marker": str(marker), "log": str(log)}
        for i in range(10)
    ]
    first = run_batch(repo, tasks, agents.note_agent, client=client, retries=0, run_id="resume", progress=False)
    assert (first.completed, first.failed) == (6, 4)
    assert sorted(_executions(log), key=int) == [str(i) for i in range(10)]

    marker.touch()
    log.unlink()
    second = run_batch(repo, tasks, agents.note_agent, client=client, retries=0, run_id="resume", progress=False)
    assert sorted(_executions(log), key=int) == ["6", "7", "8", "9"]
    assert (second.completed, second.failed) == (10, 0)
    results = _results(repo, "resume")
    assert len(results) == 10
    assert {task_id: row[1] for task_id, row in results.items()} == {str(i): 1 if i < 6 else 2 for i in range(10)}
    branches = open_repository(repo).branches()
    assert all(branches[f"eval/resume/{i}/1"].expires is None for i in range(6, 10))  # the failures, kept
    assert all(results[str(i)][2] == f"eval/resume/{i}/2" for i in range(6, 10))

    third = run_batch(repo, tasks, agents.note_agent, client=client, run_id="resume", progress=False)
    assert sorted(_executions(log), key=int) == ["6", "7", "8", "9"] and third.completed == 10


def test_merge_all_goes_in_task_order_and_collects_conflicts(client, repo):
    # "e" and "b" both write key "shared"; "e" comes first in the task list, so "b" is the one that conflicts
    order = ["c", "e", "a", "b", "d"]
    tasks = [
        {"id": task_id, "value": index, "key": "shared" if task_id in "eb" else f"k{task_id}"}
        for index, task_id in enumerate(order)
    ]
    report = run_batch(
        repo,
        tasks,
        agents.note_agent,
        client=client,
        merge="all",
        run_id="merge-all",
        merge_results=True,
        progress=False,
    )

    assert [c["task_id"] for c in report.conflicts] == ["b"]
    assert report.conflicts[0]["branch"] == "eval/merge-all/b/1" and report.conflicts[0]["conflicts"] == 1
    main = agentlake.connect(repo)
    assert main.execute("SELECT key, value FROM notes ORDER BY key").fetchall() == [
        ("ka", 2),
        ("kc", 0),
        ("kd", 4),
        ("shared", 1),
    ]
    assert main.execute(
        "SELECT task_id, status FROM eval_results WHERE run_id = 'merge-all' ORDER BY task_id"
    ).fetchall() == [(t, "ok") for t in sorted(order)]  # the audit trail, merged last
    assert main.log().num_rows >= 6  # the table's creation, four episode merges and the results


def test_merge_function_picks_the_episodes_via_a_scheduler_address(client, repo):
    tasks = [{"id": i, "value": i, "score": float((i * 37) % 10)} for i in range(10)]
    best = sorted(range(10), key=lambda i: (i * 37) % 10)[-3:]

    report = run_batch(
        repo,
        tasks,
        agents.note_agent,
        client=client.scheduler.address,
        run_id="merge-best",
        progress=False,
        merge=lambda frame: frame.nlargest(3, "score")["task_id"],
    )

    assert report.conflicts == []
    keys = [row[0] for row in agentlake.connect(repo).execute("SELECT key FROM notes ORDER BY key").fetchall()]
    assert keys == sorted(f"k{i}" for i in best)
    assert sorted(report.metrics["score"]) == sorted(float((i * 37) % 10) for i in range(10))
