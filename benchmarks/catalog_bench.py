"""Catalog benchmark: branches, small commits, scans after many commits and merges, reads down a
chain of branches, branch creation among many, beside PostgreSQL.

Run ``python benchmarks/catalog_bench.py`` (``--quick`` for a smoke run with small
sizes). Prints a table, then one JSON object as the last line. PostgreSQL 16 (the
``pgserver`` package) is measured in the same run for INSERT+COMMIT, because disk
latency here swings with load and only same-run ratios mean anything.
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

from peers import postgres  # noqa: E402

import agentlake  # noqa: E402
from catalog import Repository  # noqa: E402

ROWS = pa.schema([("id", pa.int64()), ("name", pa.string()), ("value", pa.float64())])
EVENTS = pa.schema([("agent", pa.int64()), ("step", pa.int64()), ("note", pa.string())])


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _rows(start: int, n: int) -> pa.Table:
    ids = np.arange(start, start + n, dtype=np.int64)
    return pa.table({"id": ids, "name": pa.array([f"n{i}" for i in ids]), "value": ids * 0.5}, schema=ROWS)


def _dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def setup_big(url: str, rows: int) -> Repository:
    repo = Repository.open(url)
    tx = repo.begin("main")
    tx.create_table("big", ROWS, ["id"])
    tx.append("big", _rows(0, rows))
    tx.create_table("events", EVENTS)
    tx.commit("load")
    return repo


def bench_branches(repo: Repository, root: Path, count: int) -> dict:
    data_before, refs_before = _dir_bytes(root / "data"), _dir_bytes(root / "refs")
    samples = []
    for i in range(count):
        started = time.perf_counter()
        repo.create_branch(f"b{i}")
        samples.append((time.perf_counter() - started) * 1000)
    p50, p99 = _ms(samples)
    return {
        "branch_create_p50_ms": p50,
        "branch_create_p99_ms": p99,
        "bytes_copied_per_branch": (_dir_bytes(root / "data") - data_before) / count,
        "metadata_bytes_per_branch": (_dir_bytes(root / "refs") - refs_before) / count,
    }


def _branch_worker(url: str, prefix: str, count: int, go, queue) -> None:
    repo = Repository.open(url, create=False)
    queue.put("ready")
    go.wait()
    errors = 0
    for i in range(count):
        try:
            repo.create_branch(f"{prefix}-{i}")
        except Exception:  # noqa: BLE001 - counted and reported
            errors += 1
    queue.put((time.time(), errors))


def _commit_worker(url: str, agent: int, count: int, go, queue) -> None:
    repo = Repository.open(url, create=False)
    repo.snapshot("writers")
    queue.put("ready")
    go.wait()
    done = 0
    for step in range(count):
        tx = repo.begin("writers")
        tx.append("events", pa.table({"agent": [agent], "step": [step], "note": ["x"]}, schema=EVENTS))
        tx.commit("event")
        done += 1
    queue.put((time.time(), done))


def _fan_out(target, url: str, jobs: list[tuple]) -> tuple[float, list]:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["catalog", "pyarrow"])
    queue, go = ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=target, args=(url, *job, go, queue)) for job in jobs]
    for p in procs:
        p.start()
    for _ in procs:  # every process is up and connected before the clock starts
        assert queue.get(timeout=600) == "ready"
    started = time.time()
    go.set()
    results = [queue.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    return max(end for end, _ in results) - started, [r for _, r in results]


def bench_parallel_branches(url: str, total: int, procs: int = 8) -> dict:
    elapsed, errors = _fan_out(_branch_worker, url, [(f"p{w}", total // procs) for w in range(procs)])
    return {"branches_parallel_per_s": (total // procs * procs) / elapsed, "branches_parallel_errors": sum(errors)}


def bench_commits(url: str, count: int) -> dict:
    out = {}
    for mode in ("full", "relaxed"):
        repo = Repository.open(url, durability=mode)
        repo.create_branch(f"c-{mode}")
        samples = []
        for step in range(count):
            started = time.perf_counter()
            tx = repo.begin(f"c-{mode}")
            tx.append("events", pa.table({"agent": [0], "step": [step], "note": ["x"]}, schema=EVENTS))
            tx.commit("one row")
            samples.append((time.perf_counter() - started) * 1000)
        out[f"commit_1row_{mode}_p50_ms"] = _ms(samples)[0]
    return out


def bench_writers(url: str, per_writer: int, procs: int = 8) -> dict:
    Repository.open(url).create_branch("writers")
    elapsed, done = _fan_out(_commit_worker, url, [(w, per_writer) for w in range(procs)])
    return {"commits_8_writers_per_s": sum(done) / elapsed}


def _scan_ms(repo: Repository, ref: str, table: str, rounds: int = 5) -> float:
    samples = []
    for _ in range(rounds):
        fresh = Repository.open(repo.storage.url, create=False)  # no decoded-file cache carried over
        started = time.perf_counter()
        fresh.snapshot(ref).read(table)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def bench_scan_after_commits(root: Path, commits: int) -> dict:
    repo = Repository.open(str(root / "scan"), durability="relaxed")
    tx = repo.begin("main")
    tx.create_table("events", EVENTS)
    tx.create_table("fresh", EVENTS)
    tx.commit("tables")
    for step in range(commits):
        tx = repo.begin("main")
        tx.append("events", pa.table({"agent": [step % 8], "step": [step], "note": [f"note {step}"]}, schema=EVENTS))
        tx.commit("one row")
    tx = repo.begin("main")
    tx.append("fresh", repo.snapshot("main").read("events"))
    tx.commit("same rows in one file")
    files = len(repo.snapshot("main").manifest("events").files)
    return {
        "scan_after_10k_commits_ratio": _scan_ms(repo, "main", "events") / _scan_ms(repo, "main", "fresh"),
        "scan_files_after_commits": files,
    }


def _point_ms(url: str, ref: str, key: int, rounds: int = 20) -> float:
    """Median of primary-key lookups through SQL on ``ref`` (a connection kept open, as an agent's is)."""
    db = agentlake.connect(url, branch=ref, create=False)
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        db.execute("SELECT name FROM items WHERE id = %s", [key]).fetchall()
        samples.append((time.perf_counter() - started) * 1000)
    db.close()
    return statistics.median(samples)


def bench_read_at_depth(root: Path, depth: int, rows: int) -> dict:
    """A chain of ``depth`` branches, each made from the one before after a commit of its own (a
    2026 study of branching databases found reads 5-4,000x slower as branches deepen on the systems
    it tested): a point read and a full scan on the last branch against the same on the first, once
    background compaction is idle (or a minute passed). ``read_at_depth_ratio`` is the worse of the two."""
    url = str(root / "depth")
    repo = Repository.open(url, durability="relaxed")
    tx = repo.begin("main")
    tx.create_table("items", ROWS, ["id"])
    tx.append("items", _rows(0, rows))
    tx.commit("load")
    previous = "main"
    for level in range(depth):
        name = f"level{level}"
        repo.create_branch(name, previous)
        tx = repo.begin(name)
        tx.append("items", _rows(rows + level, 1))
        tx.commit("one row of its own")
        previous = name
    first, last = "level0", previous
    settled = repo.compactor.wait_idle(60)  # each branch's own one-row files are folded in the background
    point = _point_ms(url, last, rows // 2) / _point_ms(url, first, rows // 2)
    scan = _scan_ms(repo, last, "items") / _scan_ms(repo, first, "items")
    return {
        "read_at_depth": depth,
        "read_at_depth_point_ratio": point,
        "read_at_depth_scan_ratio": scan,
        "read_at_depth_ratio": max(point, scan),
        "read_at_depth_files": len(repo.snapshot(last).manifest("items").files),
        "read_at_depth_compaction_settled": settled,
    }


def bench_branch_create_at_scale(root: Path, total: int, window: int = 100) -> dict:
    """Branch creation among ``total`` live branches: the p50 of the last ``window`` creations against
    the first ``window``'s."""
    repo = Repository.open(str(root / "many"), durability="relaxed")
    tx = repo.begin("main")
    tx.create_table("items", ROWS, ["id"])
    tx.append("items", _rows(0, 10))
    tx.commit("load")
    samples = []
    for i in range(total):
        started = time.perf_counter()
        repo.create_branch(f"agent{i}")
        samples.append((time.perf_counter() - started) * 1000)
    first, last = statistics.median(samples[:window]), statistics.median(samples[-window:])
    return {
        "branches_total": total,
        "branch_create_p50_first_ms": first,
        "branch_create_p50_last_ms": last,
        "branch_create_p50_at_scale_ratio": last / first,
    }


def bench_merge(repo: Repository, rows: int, changed: int) -> dict:
    rng = np.random.default_rng(1)
    keys = rng.choice(rows, size=2 * changed, replace=False)
    theirs, ours = keys[:changed], keys[changed:]
    repo.create_branch("merge-src")
    tx = repo.begin("merge-src")
    tx.update_where("big", {"value": -1.0}, pc.field("id").isin(pa.array(theirs)))
    tx.commit(f"change {changed} rows")
    tx = repo.begin("main")
    tx.update_where("big", {"value": -2.0}, pc.field("id").isin(pa.array(ours)))
    tx.commit(f"change {changed} other rows")
    fresh = Repository.open(repo.storage.url, create=False)
    started = time.perf_counter()
    fresh.merge("merge-src", "main")
    elapsed = (time.perf_counter() - started) * 1000
    merged = fresh.snapshot("main").read("big", columns=["value"]).column("value")
    assert pc.sum(pc.equal(merged, -1.0)).as_py() == changed and len(merged) == rows
    return {"merge_1k_into_1m_ms": elapsed}


def bench_postgres(root: Path, count: int, per_writer: int, procs: int = 8) -> dict | None:
    import psycopg

    with postgres(root / "pg") as dsn:
        if dsn is None:
            return None
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("CREATE TABLE events (agent bigint, step bigint, note text)")
            samples = []
            for step in range(count):
                started = time.perf_counter()
                conn.execute("INSERT INTO events VALUES (0, %s, 'x')", (step,))
                samples.append((time.perf_counter() - started) * 1000)
        elapsed, done = _fan_out(_pg_worker, dsn, [(w, per_writer) for w in range(procs)])
        return {"pg_insert_commit_p50_ms": _ms(samples)[0], "pg_8_writers_per_s": sum(done) / elapsed}


def _pg_worker(dsn: str, agent: int, count: int, go, queue) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        queue.put("ready")
        go.wait()
        for step in range(count):
            conn.execute("INSERT INTO events VALUES (%s, %s, 'x')", (agent, step))
    queue.put((time.time(), count))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, not a measurement")
    args = parser.parse_args()
    size = (
        dict(
            rows=20_000,
            branches=100,
            parallel=200,
            commits=30,
            writer_commits=10,
            scan_commits=300,
            changed=100,
            depth=50,
            many_branches=1_000,
        )
        if args.quick
        else dict(
            rows=1_000_000,
            branches=1000,
            parallel=1000,
            commits=200,
            writer_commits=50,
            scan_commits=10_000,
            changed=1000,
            depth=1000,
            many_branches=100_000,
        )
    )
    results: dict = {"quick": args.quick}
    with tempfile.TemporaryDirectory(prefix="catalog-bench-") as tmp:
        root = Path(tmp)
        url = str(root / "repo")
        repo = setup_big(url, size["rows"])
        results.update(bench_branches(repo, root / "repo", size["branches"]))
        results.update(bench_parallel_branches(url, size["parallel"]))
        results.update(bench_commits(url, size["commits"]))
        results.update(bench_writers(url, size["writer_commits"]))
        results.update(bench_merge(repo, size["rows"], size["changed"]))
        results.update(bench_scan_after_commits(root, size["scan_commits"]))
        results.update(bench_read_at_depth(root, size["depth"], 10_000))
        results.update(bench_branch_create_at_scale(root, size["many_branches"]))
        pg = bench_postgres(root, size["commits"], size["writer_commits"])
    if pg:
        results.update(pg)
        results["commit_full_vs_pg_ratio"] = results["commit_1row_full_p50_ms"] / pg["pg_insert_commit_p50_ms"]
        results["writers_vs_pg_ratio"] = results["commits_8_writers_per_s"] / pg["pg_8_writers_per_s"]
    table = Table("metric", "value", title="catalog benchmark" + (" (quick)" if args.quick else ""))
    for key, value in results.items():
        table.add_row(key, f"{value:,.3f}" if isinstance(value, float) else str(value))
    Console().print(table)
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in results.items()}), flush=True)


if __name__ == "__main__":
    main()
