"""The small operations agents do all day, against PostgreSQL 16 in the same run.

    python benchmarks/agent_ops_bench.py [--rows 10000] [--samples 500] [--fleet-seconds 10] [--processes N] [--quick]

Each operation runs on the same data three ways: agentlake in-process (``agentlake.connect``),
agentlake over the wire (``agentlake serve`` + psycopg on loopback) and PostgreSQL 16 with
pgvector (the ``pgserver`` package, psycopg on a local socket). Commits are durable on both
sides (PostgreSQL's defaults; agentlake's ``durability='full'``). Prints a table of p50/p99 in
milliseconds and the ratios to PostgreSQL, then one JSON line with ``<side>_<op>_p50_ms``,
``<side>_<op>_p99_ms`` and ``<side>_<op>_vs_pg``, and the fleet figures ``agents_64_ops_per_s``
(64 connections, each on its own branch, running the mix) beside PostgreSQL's 64 connections
each on its own table (``pg_agents_64_ops_per_s``, ``agents_64_vs_pg``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

import numpy as np
import psycopg
from peers import postgres  # noqa: E402
from wire import free_port, wait_connect  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import agentlake  # noqa: E402

DIM = 384
CATEGORIES = 10
OPS = ("insert", "update_by_key", "upsert", "select_by_key", "filtered_count", "txn_5", "topk_10")
TARGETS = {
    "insert": 1.0,
    "update_by_key": 1.0,
    "upsert": 1.0,
    "txn_5": 1.0,
    "select_by_key": 2.0,
    "filtered_count": 2.0,
    "topk_10": 1.5,
}


def _schema(vector_type: str) -> list[str]:
    return [
        "CREATE TABLE memory (key text PRIMARY KEY, value text, n int)",
        f"CREATE TABLE docs (id bigint PRIMARY KEY, category int, embedding {vector_type})",
    ]


def _vectors(count: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _vector_text(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.6f}" for x in vector) + "]"


class Workload:
    """One side's statements; ``execute(sql, params)`` is all it needs of a connection."""

    def __init__(self, execute: Callable, rows: int, prefix: str = "", seed: int = 0) -> None:
        self.execute, self.rows, self.prefix = execute, rows, prefix
        self.rng = np.random.default_rng(seed)
        self.fresh = itertools.count()
        self.queries = _vectors(64, seed + 1)

    def key(self) -> str:
        return f"k{int(self.rng.integers(self.rows))}"

    def insert(self) -> None:
        self.execute(
            "INSERT INTO memory (key, value, n) VALUES (%s, %s, %s)", [f"{self.prefix}new{next(self.fresh)}", "fact", 1]
        )

    def update_by_key(self) -> None:
        self.execute("UPDATE memory SET value = %s, n = n + 1 WHERE key = %s", ["plan step", self.key()])

    def upsert(self) -> None:
        self.execute(
            "INSERT INTO memory (key, value, n) VALUES (%s, %s, 1) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, n = memory.n + 1",
            [self.key(), "seen again"],
        )

    def select_by_key(self) -> None:
        self.execute("SELECT value, n FROM memory WHERE key = %s", [self.key()])

    def filtered_count(self) -> None:
        self.execute("SELECT count(*) FROM memory WHERE n > %s", [int(self.rng.integers(50))])

    def txn_5(self) -> None:
        self.execute("BEGIN", None)
        for _ in range(3):
            self.execute("UPDATE memory SET n = n + 1 WHERE key = %s", [self.key()])
        self.execute("SELECT value FROM memory WHERE key = %s", [self.key()])
        self.execute("COMMIT", None)

    def topk_10(self) -> None:
        query = _vector_text(self.queries[int(self.rng.integers(len(self.queries)))])
        self.execute(
            "SELECT id FROM docs WHERE category = %s ORDER BY embedding <-> %s::vector LIMIT 10",
            [int(self.rng.integers(CATEGORIES)), query],
        )


def _load(execute: Callable, copy_rows: Callable, rows: int, vector_type: str) -> None:
    for ddl in _schema(vector_type):
        execute(ddl, None)
    copy_rows("memory", [(f"k{i}", f"value {i}", i % 100) for i in range(rows)])
    vectors = _vectors(rows, 7)
    copy_rows("docs", [(i, i % CATEGORIES, _vector_text(v)) for i, v in enumerate(vectors)])
    execute("CREATE INDEX ON docs USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64)", None)


def _timings(workload: Workload, samples: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for op in OPS:
        fn = getattr(workload, op)
        for _ in range(min(20, samples)):  # warm caches and any statement cache first
            fn()
        times = []
        for _ in range(samples):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        out[op] = times
    return out


def _summary(prefix: str, timings: dict[str, list[float]]) -> dict[str, float]:
    result = {}
    for op, times in timings.items():
        result[f"{prefix}_{op}_p50_ms"] = round(statistics.median(times), 4)
        result[f"{prefix}_{op}_p99_ms"] = round(float(np.percentile(times, 99)), 4)
    return result


def _psycopg_side(dsn: str, rows: int, samples: int, load: bool, prefix: str) -> dict[str, list[float]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        if load:
            _load(conn.execute, lambda table, data: _psycopg_copy(conn, table, data), rows, "vector(384)")
        return _timings(Workload(conn.execute, rows, prefix=prefix), samples)


def _psycopg_copy(conn: psycopg.Connection, table: str, data: list[tuple]) -> None:
    with conn.cursor().copy(f"COPY {table} FROM STDIN") as copy:
        for row in data:
            copy.write_row(row)


def _fleet(connect: Callable[[int], tuple[Callable, Callable]], agents: int, seconds: float, rows: int) -> float:
    """Operations per second of ``agents`` connections running the mix at once, each on its own data."""
    done = [0] * agents
    stop = time.monotonic() + seconds
    errors: list[BaseException] = []

    def agent(i: int) -> None:
        try:
            execute, close = connect(i)
            workload = Workload(execute, rows, prefix=f"a{i}-", seed=i)
            mix = [
                workload.insert,
                workload.update_by_key,
                workload.select_by_key,
                workload.upsert,
                workload.select_by_key,
                workload.filtered_count,
            ]
            for fn in itertools.cycle(mix):
                if time.monotonic() > stop:
                    break
                fn()
                done[i] += 1
            close()
        except BaseException as err:  # noqa: BLE001 - reported after the run
            errors.append(err)

    threads = [threading.Thread(target=agent, args=(i,)) for i in range(agents)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        print(f"fleet: {len(errors)} agents failed, first: {errors[0]!r}", file=sys.stderr)
    return sum(done) / (time.monotonic() - start)


def run_agentlake(args, workdir: Path) -> dict[str, float]:
    repo = str(workdir / "repo")
    db = agentlake.connect(repo, durability="full")

    def copy_rows(table: str, data: list[tuple]) -> None:
        import pyarrow as pa

        columns = list(zip(*data))
        if table == "memory":
            frame = pa.table(
                {"key": pa.array(columns[0]), "value": pa.array(columns[1]), "n": pa.array(columns[2], pa.int32())}
            )
        else:
            vectors = np.array([json.loads(v) for v in columns[2]], dtype=np.float32)
            frame = pa.table(
                {
                    "id": pa.array(columns[0], pa.int64()),
                    "category": pa.array(columns[1], pa.int32()),
                    "embedding": pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), DIM),
                }
            )
        db.load_arrow(table, frame)

    _load(lambda sql, params: db.execute(sql, params), copy_rows, args.rows, "vector(384)")
    result = _summary("inproc", _timings(Workload(db.execute, args.rows, prefix="inproc-"), args.samples))
    port = free_port()
    server = subprocess.Popen(
        [
            *[sys.executable, "-m", "agentlake.server.cli", "serve", repo, "--trust", "--port", str(port)],
            *["--processes", str(args.processes)],
        ],
        cwd=ROOT,
    )
    try:
        dsn = f"host=127.0.0.1 port={port} dbname=repo user=bench"
        wait_connect(dsn).close()
        result.update(_summary("wire", _psycopg_side(dsn, args.rows, args.samples, load=False, prefix="wire-")))

        def connect(i: int):
            conn = wait_connect(f"host=127.0.0.1 port={port} dbname=repo@agent-{i} user=bench")
            return conn.execute, conn.close

        result["agents_64_ops_per_s"] = round(_fleet(connect, args.agents, args.fleet_seconds, args.rows), 1)
    finally:
        server.terminate()
        server.wait(60)
    return result


def run_postgres(args, workdir: Path) -> dict[str, float] | None:
    with postgres(workdir / "pg") as uri:
        if uri is None:
            return None
        with psycopg.connect(uri, autocommit=True) as admin:
            admin.execute("CREATE EXTENSION IF NOT EXISTS vector")
        result = _summary("pg", _psycopg_side(uri, args.rows, args.samples, load=True, prefix="pg-"))
        with psycopg.connect(uri, autocommit=True) as admin:
            for i in range(args.agents):  # each agent its own table, as each agentlake agent has its branch
                admin.execute(f"CREATE TABLE memory_{i} (LIKE memory INCLUDING ALL)")
                admin.execute(f"INSERT INTO memory_{i} SELECT * FROM memory")

        def connect(i: int):
            conn = psycopg.connect(uri, autocommit=True)

            def execute(sql: str, params):
                return conn.execute(sql.replace("memory", f"memory_{i}"), params)

            return execute, conn.close

        result["pg_agents_64_ops_per_s"] = round(_fleet(connect, args.agents, args.fleet_seconds, args.rows), 1)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--agents", type=int, default=64)
    parser.add_argument("--fleet-seconds", type=float, default=10.0)
    parser.add_argument(
        "--processes", type=int, default=os.cpu_count() or 1, help="agentlake serve --processes (default: the cores)"
    )
    parser.add_argument("--quick", action="store_true", help="100 samples, 5 s of fleet")
    args = parser.parse_args()
    if args.quick:
        args.samples, args.fleet_seconds = 100, 5.0
    with tempfile.TemporaryDirectory(prefix="agent-ops-bench-") as tmp:
        ours = run_agentlake(args, Path(tmp))
        theirs = run_postgres(args, Path(tmp)) or {}
    result = {**ours, **theirs}
    print(
        f"{'operation':<16}{'in-process':>12}{'wire':>10}{'PostgreSQL':>12}{'in-proc/pg':>12}{'wire/pg':>10}"
        f"{'target':>8}"
    )
    for op in OPS:
        pg = theirs.get(f"pg_{op}_p50_ms")
        for side in ("inproc", "wire"):
            if pg:
                result[f"{side}_{op}_vs_pg"] = round(ours[f"{side}_{op}_p50_ms"] / pg, 2)
        print(
            f"{op:<16}{ours[f'inproc_{op}_p50_ms']:>12.3f}{ours[f'wire_{op}_p50_ms']:>10.3f}"
            f"{(pg or float('nan')):>12.3f}{result.get(f'inproc_{op}_vs_pg', float('nan')):>12.2f}"
            f"{result.get(f'wire_{op}_vs_pg', float('nan')):>10.2f}{TARGETS[op]:>8}"
        )
    if theirs.get("pg_agents_64_ops_per_s"):
        result["agents_64_vs_pg"] = round(ours["agents_64_ops_per_s"] / theirs["pg_agents_64_ops_per_s"], 3)
    print(
        f"fleet of {args.agents}: agentlake {ours['agents_64_ops_per_s']:,.0f} ops/s, "
        f"PostgreSQL {theirs.get('pg_agents_64_ops_per_s', float('nan')):,.0f} ops/s"
    )
    print(
        json.dumps(
            {
                **result,
                "rows": args.rows,
                "samples": args.samples,
                "agents": args.agents,
                "fleet_seconds": args.fleet_seconds,
                "processes": args.processes,
            }
        )
    )


if __name__ == "__main__":
    main()
