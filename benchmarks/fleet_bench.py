"""Fleet benchmark: a thousand agents branch from main, work, and merge back (issue 22).

Run ``python benchmarks/fleet_bench.py`` (``--quick`` for a smoke run with small
sizes). Prints a table, then one JSON object as the last line.

- fleet_merge_p50_ms / p99_ms / growth: agents branch from one base of
  ``memory(key text primary key, agent int, value text)``, each inserts 5 rows
  and updates 1, then all merge into main one after another (catalog API,
  default durability); growth is the mean of the last 5% of merges over the first 5%.
- fleet_read_after_merges_ratio: a GROUP BY on main after the merges (once the
  background compactor has been idle, or 10 s passed) over the same query on the
  same rows loaded in one commit.
- fleet_lifecycles_per_s / fleet_concurrent_merge_40001: 8 processes run agents
  end to end through the SQL API (connect to a new branch, 5 INSERTs, 1 UPDATE,
  a filtered top-5 vector query, merge into main, drop the branch); the second
  counts merges that failed with 40001 although every agent writes its own keys.
- log_first_page_ms: the first page (50 commits) of ``db.log`` on a history of
  100,000 commits, in a freshly opened connection.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import agentlake  # noqa: E402
from catalog import Repository  # noqa: E402
from catalog.objects import Commit, object_path  # noqa: E402
from catalog.storage.base import RefState  # noqa: E402

MEMORY = pa.schema([("key", pa.string()), ("agent", pa.int32()), ("value", pa.string())])
DIM = 8
GROUP_BY = "SELECT agent, count(*), max(value) FROM memory GROUP BY agent"


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def _memory_rows(start: int, n: int, agent: int = -1) -> pa.Table:
    keys = [f"k{i:07d}" for i in range(start, start + n)]
    return pa.table(
        {
            "key": keys,
            "agent": pa.array([agent] * n, pa.int32()),
            "value": [f"value {i}" for i in range(start, start + n)],
        },
        schema=MEMORY,
    )


def bench_fleet_merges(root: Path, agents: int, base_rows: int) -> dict:
    repo = Repository.open(str(root / "fleet"))
    tx = repo.begin("main")
    tx.create_table("memory", MEMORY, ["key"])
    tx.append("memory", _memory_rows(0, base_rows))
    tx.commit("base")
    for a in range(agents):
        branch = f"agent{a}"
        repo.create_branch(branch)
        tx = repo.begin(branch)
        tx.append(
            "memory",
            pa.table(
                {
                    "key": [f"a{a:05d}-{j}" for j in range(5)],
                    "agent": pa.array([a] * 5, pa.int32()),
                    "value": [f"note {j}" for j in range(5)],
                },
                schema=MEMORY,
            ),
        )
        tx.update_where("memory", {"value": f"seen by {a}"}, pc.field("key") == f"k{(a * 7919) % base_rows:07d}")
        tx.commit("agent work")
    samples = []
    for a in range(agents):
        started = time.perf_counter()
        repo.merge(f"agent{a}", "main")
        samples.append((time.perf_counter() - started) * 1000)
    tail = max(1, agents // 20)
    settled = repo.compactor.wait_idle(10)
    return {
        "fleet_merge_p50_ms": statistics.median(samples),
        "fleet_merge_p99_ms": _percentile(samples, 0.99),
        "fleet_merge_growth": statistics.mean(samples[-tail:]) / statistics.mean(samples[:tail]),
        "fleet_compaction_settled_within_10s": settled,
        "fleet_main_files_after": len(repo.snapshot("main").tables["memory"].files),
    }


def _timed_query(url: str, runs: int) -> float:
    db = agentlake.connect(url, branch="main", create=False)
    db.execute(GROUP_BY).fetchall()  # warm: file metadata and caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        db.execute(GROUP_BY).fetchall()
        samples.append((time.perf_counter() - started) * 1000)
    db.close()
    return statistics.median(samples)


def bench_read_after_merges(root: Path, runs: int) -> dict:
    merged_url, fresh_url = str(root / "fleet"), str(root / "fresh")
    rows = Repository.open(merged_url, create=False).snapshot("main").read("memory")
    fresh = agentlake.connect(fresh_url, branch="main")
    fresh.load_arrow("memory", rows, create=True, primary_key=["key"])
    fresh.close()
    after, loaded = _timed_query(merged_url, runs), _timed_query(fresh_url, runs)
    return {
        "fleet_group_by_after_merges_ms": after,
        "fleet_group_by_loaded_once_ms": loaded,
        "fleet_read_after_merges_ratio": after / loaded,
    }


def _lifecycle_worker(url: str, worker: int, seconds: float, go, queue) -> None:
    rng = np.random.default_rng(worker)
    queue.put("ready")
    go.wait()
    done = failed_40001 = other = 0
    deadline = time.time() + seconds
    while time.time() < deadline:
        branch = f"w{worker}-{done + failed_40001 + other}"
        agent = worker * 1_000_000 + done + failed_40001 + other
        db = agentlake.connect(url, branch=branch)
        try:
            for j in range(5):
                db.execute(
                    "INSERT INTO memory VALUES (%s, %s, %s, %s)",
                    [f"{branch}-{j}", agent, f"note {j}", rng.random(DIM, dtype=np.float32)],
                )
            db.execute("UPDATE memory SET value = %s WHERE key = %s", ["revised", f"{branch}-0"])
            db.execute(
                "SELECT key FROM memory WHERE agent = %s ORDER BY embedding <-> %s LIMIT 5",
                [agent, rng.random(DIM, dtype=np.float32)],
            ).fetchall()
            db.merge("main")
            done += 1
        except Exception as err:  # noqa: BLE001 - counted and reported
            if getattr(err, "sqlstate", None) == "40001":
                failed_40001 += 1
            else:
                other += 1
        finally:
            db.close()
            db.repository.delete_branch(branch)
    queue.put((done, failed_40001, other))


def bench_lifecycles(root: Path, procs: int, seconds: float, base_rows: int) -> dict:
    url = str(root / "lifecycles")
    db = agentlake.connect(url, branch="main")
    db.execute(f"CREATE TABLE memory (key text primary key, agent int, value text, embedding vector({DIM}))")
    base = _memory_rows(0, base_rows)
    vectors = np.random.default_rng(0).random((base_rows, DIM), dtype=np.float32)
    base = base.append_column("embedding", pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), DIM))
    db.load_arrow("memory", base)
    db.close()
    ctx = multiprocessing.get_context("spawn")
    go, queue = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=_lifecycle_worker, args=(url, w, seconds, go, queue)) for w in range(procs)]
    for w in workers:
        w.start()
    for _ in workers:
        queue.get()
    started = time.time()
    go.set()
    results = [queue.get() for _ in workers]
    elapsed = time.time() - started
    for w in workers:
        w.join()
    done = sum(r[0] for r in results)
    return {
        "fleet_lifecycles_per_s": done / elapsed,
        "fleet_lifecycles": done,
        "fleet_concurrent_merge_40001": sum(r[1] for r in results),
        "fleet_lifecycle_other_errors": sum(r[2] for r in results),
    }


def bench_log(root: Path, commits: int, runs: int) -> dict:
    repo = Repository.open(str(root / "history"), durability="relaxed")
    parent = repo.head("main")
    generation = repo.commit(parent).generation
    for i in range(commits):  # a long history written directly: the commits, not their tables, matter here
        generation += 1
        commit = Commit((parent,), {}, "bench", f"commit {i}", time.time(), {}, {}, generation)
        parent, payload = commit.encoded
        repo.storage.write(object_path(parent), payload, durable=False)
    state = repo.storage.ref_get("heads", "main")
    assert repo.storage.ref_swap("heads", "main", state.commit, RefState(parent, state.created), [], durable=False)
    samples = []
    for _ in range(runs):
        db = agentlake.connect(str(root / "history"), branch="main", create=False)
        started = time.perf_counter()
        page = db.log(limit=50)
        samples.append((time.perf_counter() - started) * 1000)
        assert page.num_rows == 50 and page.column("commit")[0].as_py() == parent
        db.close()
    return {"log_first_page_ms": statistics.median(samples), "log_history_commits": commits + 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, not a measurement")
    args = parser.parse_args()
    size = (
        dict(agents=100, base_rows=10_000, procs=8, seconds=5.0, commits=10_000, runs=5)
        if args.quick
        else dict(agents=1000, base_rows=10_000, procs=8, seconds=30.0, commits=100_000, runs=9)
    )
    results: dict = {"quick": args.quick}
    with tempfile.TemporaryDirectory(prefix="fleet-bench-") as tmp:
        root = Path(tmp)
        results.update(bench_fleet_merges(root, size["agents"], size["base_rows"]))
        results.update(bench_read_after_merges(root, size["runs"]))
        results.update(bench_lifecycles(root, size["procs"], size["seconds"], size["base_rows"]))
        results.update(bench_log(root, size["commits"], size["runs"]))
    table = Table("metric", "value", title="fleet benchmark" + (" (quick)" if args.quick else ""))
    for key, value in results.items():
        table.add_row(key, f"{value:,.3f}" if isinstance(value, float) else str(value))
    Console().print(table)
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in results.items()}), flush=True)


if __name__ == "__main__":
    main()
