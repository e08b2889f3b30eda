"""The README demo: a fleet of agents, one branch each, writing and querying at once.

Run with ``python -m agentlake.demo [--agents N] [--repo URL]``. It builds a
fresh repository, lets N agents work concurrently on their own branches,
shows what each did and how long it took, then diffs and merges them into main.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time

from rich.console import Console
from rich.table import Table

import agentlake
from agentlake.errors import Error

TOPICS = ["retrieval", "planning", "tool use", "memory", "evaluation", "safety", "latency", "cost"]


def _agent(repo: str, index: int, findings: int, timings: dict) -> None:
    """One agent: its own branch, a burst of writes, a few questions about what it knows."""
    started = time.perf_counter()
    db = agentlake.connect(repo, branch=f"agent-{index:03d}")
    branch_ms = (time.perf_counter() - started) * 1000
    write_times, query_times = [], []
    for step in range(findings):
        t = time.perf_counter()
        db.execute(
            "INSERT INTO findings (agent, step, topic, note, confidence) VALUES (%s, %s, %s, %s, %s)",
            [f"agent-{index:03d}", step, TOPICS[(index + step) % len(TOPICS)],
             f"agent {index} learned fact {step}", round(0.5 + 0.5 * ((index * 7 + step) % 10) / 10, 2)],
        )
        write_times.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        db.execute("SELECT topic, count(*), avg(confidence) FROM findings GROUP BY topic").fetchall()
        query_times.append((time.perf_counter() - t) * 1000)
    db.execute("UPDATE plans SET status = 'done', owner = %s WHERE id = %s", [f"agent-{index:03d}", index % 4 + 1])
    timings[index] = {
        "branch_ms": branch_ms,
        "write_ms": statistics.median(write_times),
        "query_ms": statistics.median(query_times),
        "total_s": time.perf_counter() - started,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=8)
    parser.add_argument("--findings", type=int, default=20)
    parser.add_argument("--repo", default=None, help="repository URL (default: a fresh temporary folder)")
    args = parser.parse_args(argv)
    console = Console()
    repo = args.repo or tempfile.mkdtemp(prefix="agentlake-demo-") + "/repo"

    main_db = agentlake.connect(repo)
    main_db.execute("CREATE TABLE IF NOT EXISTS findings (id bigserial PRIMARY KEY, agent text, step int, "
                    "topic text, note text, confidence double precision, created_at timestamptz DEFAULT now())")
    main_db.execute("CREATE TABLE IF NOT EXISTS plans (id int PRIMARY KEY, title text, status text, owner text)")
    main_db.executemany("INSERT INTO plans VALUES (%s, %s, 'open', NULL) ON CONFLICT DO NOTHING",
                        [(i, f"plan {i}") for i in range(1, 5)])
    console.rule(f"[bold]{args.agents} agents, one branch each[/] — repository {repo}")

    timings: dict[int, dict] = {}
    threads = [threading.Thread(target=_agent, args=(repo, i, args.findings, timings)) for i in range(args.agents)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started

    table = Table(title=f"work done in {elapsed:.2f} s (wall clock, all agents at once)")
    for column in ("agent", "branch (ms)", "insert+commit p50 (ms)", "aggregate p50 (ms)", "total (s)"):
        table.add_column(column, justify="right")
    for index in sorted(timings):
        t = timings[index]
        table.add_row(f"agent-{index:03d}", f"{t['branch_ms']:.2f}", f"{t['write_ms']:.2f}",
                      f"{t['query_ms']:.2f}", f"{t['total_s']:.2f}")
    console.print(table)

    console.rule("[bold]isolation[/]: main has seen none of it yet")
    console.print(f"rows in main.findings: {main_db.execute('SELECT count(*) FROM findings').fetchone()[0]}")
    diff = main_db.diff("main", "agent-000")
    for name, change in sorted(diff.items()):
        console.print(f"diff main..agent-000 · {name}: {change.counts}")

    console.rule("[bold]merging[/] every agent into main, in order")
    merged, conflicts = 0, 0
    for index in sorted(timings):
        agent = agentlake.connect(repo, branch=f"agent-{index:03d}", create=False)
        try:
            agent.merge("main")
            merged += 1
        except Error as err:
            conflicts += 1
            rows = getattr(err.__cause__, "conflicts", None) or getattr(err, "conflicts", [])
            console.print(f"[yellow]agent-{index:03d}[/]: {len(rows)} conflicting row(s) — kept main's version "
                          f"(SQLSTATE {err.sqlstate}); first: {rows[0] if rows else err}")
            agent.merge("main", strategy="theirs")
            merged += 1
    summary = main_db.execute(
        "SELECT topic, count(*) AS notes, round(avg(confidence), 3) AS confidence FROM findings "
        "GROUP BY topic ORDER BY notes DESC, topic").fetchall()
    table = Table(title=f"main after {merged} merges ({conflicts} with conflicts resolved)")
    for column in ("topic", "notes", "avg confidence"):
        table.add_column(column, justify="right")
    for topic, notes, confidence in summary:
        table.add_row(topic, str(notes), f"{confidence:.3f}")
    console.print(table)
    console.print("plans:", main_db.execute("SELECT id, status, owner FROM plans ORDER BY id").fetchall())
    console.print(f"commits on main: {main_db.log().num_rows}")


if __name__ == "__main__":
    main()
