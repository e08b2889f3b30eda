"""Real processes: writers killed with SIGKILL at random moments, and writers racing on one branch."""

from __future__ import annotations

import multiprocessing
import os
import random
import subprocess
import sys
import time

import catalog_workers

from catalog import Repository

KILLS = 50


def _acknowledged(path: str) -> list[list[str]]:
    if not os.path.exists(path):
        return []
    with open(path) as fh:
        return [line.split() for line in fh if line.endswith("\n")]


def test_sigkilled_writers_leave_every_acknowledged_commit_and_no_partial_one(tmp_path):
    url = str(tmp_path / "repo")
    catalog_workers.setup(url)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["catalog", "pyarrow", "catalog_workers"])
    rng = random.Random(7)
    out = str(tmp_path / "acks")
    warm = ctx.Process(target=catalog_workers.commit_loop, args=(url, out, 999, 0))  # starts the fork server
    warm.start()
    warm.join()
    kills = 0
    for round_ in range(KILLS // 2):
        seen = len(_acknowledged(out))
        procs = [
            ctx.Process(
                target=catalog_workers.commit_loop,
                args=(url, out, round_ * 2 + w, None, rng.choice(["full", "relaxed"])),
            )
            for w in range(2)
        ]
        for p in procs:
            p.start()
        deadline = time.time() + 20
        while len(_acknowledged(out)) == seen and time.time() < deadline:
            time.sleep(0.005)  # kill while commits are under way, not during start-up
        for p in procs:
            time.sleep(rng.uniform(0, 0.08))
            p.kill()
        for p in procs:
            p.join()
            assert p.exitcode == -9
            kills += 1
    acks = [line for line in _acknowledged(out) if line[0] == "ok"]
    assert kills >= 50 and len(acks) > 0
    repo = Repository.open(url, create=False)
    snapshot = repo.snapshot("main")
    a = snapshot.read("a").column("id").to_pylist()
    b = snapshot.read("b").column("id").to_pylist()
    assert sorted(a) == sorted(b), "a commit was half applied"
    assert len(a) == len(set(a))
    assert {int(line[2]) for line in acks} <= set(a)
    history = {commit_id for commit_id, _ in repo.log("main")}
    assert {line[1] for line in acks} <= history
    tx = repo.begin("main")  # the repository still takes commits after the crashes
    tx.append("a", catalog_workers.pa.table({"id": [-1]}))
    tx.commit("after crashes")


def test_four_processes_on_one_branch_lose_nothing(tmp_path):
    url = str(tmp_path / "repo")
    catalog_workers.setup(url)
    out = str(tmp_path / "acks")
    worker = os.path.join(os.path.dirname(__file__), "catalog_workers.py")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.getcwd(), os.path.dirname(__file__)]))
    procs = [subprocess.Popen([sys.executable, worker, url, out, str(tag), "12"], env=env) for tag in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    lines = _acknowledged(out)
    acks = [line for line in lines if line[0] == "ok"]
    failures = [line for line in lines if line[0] != "ok"]
    assert len(lines) == 48
    assert all(line == ["conflict", "40001"] for line in failures)
    snapshot = Repository.open(url, create=False).snapshot("main")
    assert sorted(snapshot.read("a").column("id").to_pylist()) == sorted(int(line[2]) for line in acks)
    assert snapshot.read("counter").column("n").to_pylist() == [len(acks)]
