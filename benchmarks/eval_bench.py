"""Batch evaluation throughput: ``run_batch`` against the same work as plain Dask tasks.

    python benchmarks/eval_bench.py                  # 1,000 episodes on a LocalCluster of 2 workers
    python benchmarks/eval_bench.py --episodes 100   # a smoke run

Every episode does the same trivial work: 10 rows written by one INSERT and 5
queries (a key lookup, a filter, an aggregate, a join, a count). ``run_batch`` runs it
on a fresh branch per episode and records the outcome on the run branch; the peer
runs it as plain ``client.map`` tasks on branches made before its clock starts, with
nothing recorded, so the difference is what ``run_batch`` adds: branching, the TTL,
Dask bookkeeping, retries and the results table.

Prints a table, then one JSON line (the last line of output):

- episodes_per_s: episodes over the wall time of the whole ``run_batch`` call.
- overhead_per_episode_ms: what branching and recording add, in worker time per
  episode: (batch wall - plain wall) x workers / episodes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import dask  # noqa: E402
import pyarrow as pa  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

import agentlake  # noqa: E402
from agentlake.api.connection import open_repository  # noqa: E402
from agentlake.eval import run_batch  # noqa: E402

FACTS = 1_000


def episode_work(db, task: dict) -> dict:
    """10 rows in one INSERT (one commit), then 5 small questions."""
    first = task["id"] * 10
    rows = [(first + j, (first + j) % FACTS, j / 10) for j in range(10)]
    db.execute(
        "INSERT INTO notes (id, fact_id, score) VALUES " + ", ".join(["(%s, %s, %s)"] * len(rows)),
        [value for row in rows for value in row],
    )
    db.execute("SELECT topic, weight FROM facts WHERE id = %s", [task["id"] % FACTS]).fetchall()
    db.execute("SELECT count(*) FROM facts WHERE weight > %s", [0.5]).fetchall()
    db.execute("SELECT topic, avg(weight) FROM facts GROUP BY topic").fetchall()
    db.execute("SELECT f.topic, sum(n.score) FROM notes n JOIN facts f ON f.id = n.fact_id GROUP BY f.topic").fetchall()
    rows = db.execute("SELECT count(*) FROM notes").fetchone()[0]
    return {"rows": rows}


def plain_episode(repo: str, task: dict) -> int:
    """The same work on a branch made beforehand, with nothing recorded: what run_batch adds is the rest."""
    db = agentlake.connect(repo, branch=f"plain/{task['id']}", create=False, durability="relaxed")
    try:
        return episode_work(db, task)["rows"]
    finally:
        db.close()


def setup(repo: str) -> None:
    db = agentlake.connect(repo)
    db.execute("CREATE TABLE facts (id int PRIMARY KEY, topic text, weight double precision)")
    db.load_arrow(
        "facts",
        pa.table(
            {
                "id": pa.array(range(FACTS), pa.int32()),
                "topic": [f"topic-{i % 10}" for i in range(FACTS)],
                "weight": [(i % 100) / 100 for i in range(FACTS)],
            }
        ),
    )
    db.execute("CREATE TABLE notes (id bigint PRIMARY KEY, fact_id int, score double precision)")


def measure(repo: str, client: Client, episodes: int, offset: int) -> tuple[float, float, object]:
    """Peer, run_batch, peer again on the other half: load that drifts during the run hits both alike."""
    tasks = [{"id": offset + i} for i in range(episodes)]
    repository = open_repository(repo)
    for task in tasks:  # the peer's branches exist before its clock starts
        repository.create_branch(f"plain/{task['id']}")
    half = episodes // 2
    plain = _plain(repo, client, tasks[:half])
    started = time.perf_counter()
    report = run_batch(repo, tasks, episode_work, client=client, progress=False, run_id=f"bench-{offset}")
    batch = time.perf_counter() - started
    plain += _plain(repo, client, tasks[half:])
    return plain, batch, report


def _plain(repo: str, client: Client, tasks: list[dict]) -> float:
    started = time.perf_counter()
    client.gather(client.map(plain_episode, [repo] * len(tasks), tasks, pure=False))
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    console = Console(stderr=False)
    with (
        tempfile.TemporaryDirectory(prefix="agentlake-eval-bench-") as tmp,
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        repo = f"{tmp}/repo"
        setup(repo)
        measure(repo, client, 4 * args.workers, offset=10_000_000)  # warm both paths on every worker
        plain, batch, report = measure(repo, client, args.episodes, offset=0)
    if report.failed:
        raise SystemExit(f"{report.failed} episodes failed: {report.results['error'].dropna().iloc[0]}")
    summary = report.summary()
    result = {
        "episodes": args.episodes,
        "workers": args.workers,
        "episodes_per_s": round(args.episodes / batch, 1),
        "overhead_per_episode_ms": round((batch - plain) * args.workers / args.episodes * 1000, 2),
        "plain_episodes_per_s": round(args.episodes / plain, 1),
        "episode_p50_ms": round(summary["episode_p50_s"] * 1000, 2),
        "episode_p95_ms": round(summary["episode_p95_s"] * 1000, 2),
    }
    table = Table(title=f"{args.episodes} trivial episodes on a LocalCluster of {args.workers} workers")
    for column in ("path", "wall (s)", "episodes/s", "notes"):
        table.add_column(column, justify="right" if column != "notes" else "left")
    table.add_row(
        "run_batch",
        f"{batch:.2f}",
        f"{result['episodes_per_s']:.1f}",
        f"branch per episode, results recorded; episode p50 {result['episode_p50_ms']} ms "
        f"p95 {result['episode_p95_ms']} ms",
    )
    table.add_row(
        "plain client.map (peer)",
        f"{plain:.2f}",
        f"{result['plain_episodes_per_s']:.1f}",
        "same work on branches made beforehand, nothing recorded",
    )
    table.add_row(
        "overhead / episode",
        "",
        "",
        f"{result['overhead_per_episode_ms']} ms of worker time (target <= 20 ms; throughput target >= 50/s)",
    )
    console.print(table)
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
