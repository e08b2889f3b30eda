"""Wire-server latency and throughput against PostgreSQL 16 (the ``pgserver`` package), measured in one run.

    python benchmarks/server_bench.py [--rows 100000] [--duration 10] [--sessions 64]

Prints a table, then one JSON line. Every number for agentlake comes from real
psycopg clients talking to ``agentlake serve`` over loopback; PostgreSQL gets
the same workload on the same machine in the same run.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
from peers import postgres  # noqa: E402
from wire import free_port, wait_connect  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {
    "select1_p50_ms": 0.3,
    "point_select_p50_ms": 1.5,
    "connect_p50_ms": 5.0,
    "cold_start_ms": 1000.0,
    "idle_listener_rss_mb": 40.0,
}


def _ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _engine_command(repo: str, port: int, idle_exit: float | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "agentlake.server.cli", "serve", repo, "--trust", "--port", str(port)]
    return cmd + (["--idle-exit", str(idle_exit)] if idle_exit else [])


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def _load(conn: psycopg.Connection, rows: int) -> None:
    conn.execute("CREATE TABLE kv (id BIGINT PRIMARY KEY, payload TEXT)")
    with conn.cursor() as cur, cur.copy("COPY kv (id, payload) FROM STDIN") as copy:
        for i in range(rows):
            copy.write_row((i, f"payload-{i}"))


def _latencies(dsn: str, rows: int, samples: int) -> dict[str, float]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for _ in range(20):
            conn.execute("SELECT 1")
        select1 = [_ms(lambda: conn.execute("SELECT 1").fetchone()) for _ in range(samples)]
        keys = [(i * 7919) % rows for i in range(samples)]
        for k in keys[:20]:
            conn.execute("SELECT payload FROM kv WHERE id = %s", [k]).fetchone()
        point = [_ms(lambda k=k: conn.execute("SELECT payload FROM kv WHERE id = %s", [k]).fetchone()) for k in keys]
    connects = [_ms(lambda: psycopg.connect(dsn).close()) for _ in range(max(samples // 10, 10))]
    return {
        "select1_p50_ms": statistics.median(select1),
        "point_select_p50_ms": statistics.median(point),
        "connect_p50_ms": statistics.median(connects),
    }


def _sessions_qps(dsn_for, sessions: int, rows: int, duration: float) -> float:
    counts = [0] * sessions
    stop = threading.Event()
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            with psycopg.connect(dsn_for(i), autocommit=True) as conn:
                k = i
                while not stop.is_set():
                    conn.execute("SELECT payload FROM kv WHERE id = %s", [k % rows]).fetchone()
                    counts[i] += 1
                    k += 7919
        except BaseException as err:  # reported below; a failed session must not hide in the total
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(sessions)]
    for t in threads:
        t.start()
    time.sleep(duration)
    stop.set()
    for t in threads:
        t.join()
    if errors:
        print(f"{len(errors)} sessions failed: {errors[0]!r}", file=sys.stderr)
    return sum(counts) / duration


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_agentlake(args, workdir: Path) -> dict[str, float]:
    repo = str(workdir / "benchrepo")
    port = free_port()
    proc = subprocess.Popen(_engine_command(repo, port), cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL)
    try:
        dsn = f"host=127.0.0.1 port={port} dbname=benchrepo user=bench"
        with wait_connect(dsn) as conn:
            _load(conn, args.rows)
        out = _latencies(dsn, args.rows, args.samples)
        out["sessions_64_qps"] = _sessions_qps(
            lambda i: f"host=127.0.0.1 port={port} dbname=benchrepo@bench-{i} user=bench",
            args.sessions,
            args.rows,
            args.duration,
        )
    finally:
        proc.terminate()
        proc.wait(30)
    out.update(_cold_start(args, workdir))
    return out


def _cold_start(args, workdir: Path) -> dict[str, float]:
    """From an idle on-demand listener to the first answered query, engine start included.

    The package's bytecode is compiled first, as ``pip install`` does: with
    PYTHONDONTWRITEBYTECODE set (as in CI images) an editable checkout would
    otherwise recompile every module at each engine start.
    """
    for package in ("agentlake", "catalog"):
        compileall.compile_dir(ROOT / package, quiet=1)
    repo = str(workdir / "benchrepo")
    port = free_port()
    listener = ROOT / "agentlake" / "server" / "ondemand.py"
    cmd = [
        sys.executable,
        str(listener),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--",
        *_engine_command(repo, 0, idle_exit=1.0),
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=subprocess.PIPE, text=True)
    try:
        proc.stdout.readline()
        time.sleep(0.5)
        rss = _rss_mb(proc.pid)
        dsn = f"host=127.0.0.1 port={port} dbname=benchrepo user=bench"
        starts = []
        for _ in range(args.cold_starts):
            started = time.perf_counter()
            with wait_connect(dsn) as conn:
                conn.execute("SELECT 1").fetchone()
            starts.append((time.perf_counter() - started) * 1000)
            time.sleep(3.0)  # the engine exits after 1 s idle; the next round is cold again
        return {"cold_start_ms": statistics.median(starts), "idle_listener_rss_mb": rss}
    finally:
        proc.terminate()
        proc.wait(30)


def bench_postgres(args, workdir: Path) -> dict[str, float] | None:
    started = time.perf_counter()
    with postgres(workdir / "pg") as dsn:
        if dsn is None:
            return None
        start_ms = (time.perf_counter() - started) * 1000
        with psycopg.connect(dsn, autocommit=True) as conn:
            _load(conn, args.rows)
            conn.execute("ANALYZE kv")
        out = _latencies(dsn, args.rows, args.samples)
        out["sessions_64_qps"] = _sessions_qps(lambda i: dsn, args.sessions, args.rows, args.duration)
        out["cold_start_ms"] = start_ms
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--sessions", type=int, default=64)
    parser.add_argument("--cold-starts", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="server-bench-") as tmp:
        workdir = Path(tmp)
        ours = bench_agentlake(args, workdir)
        theirs = bench_postgres(args, workdir) or {}
    print(f"{'metric':<24}{'agentlake':>12}{'postgres':>12}{'target':>10}")
    for key, value in ours.items():
        peer = theirs.get(key)
        target = TARGETS.get(key)
        print(
            f"{key:<24}{value:>12.3f}{(f'{peer:.3f}' if peer is not None else '-'):>12}"
            f"{(f'{target:g}' if target else '-'):>10}"
        )
    result = {
        **ours,
        **{f"postgres_{k}": v for k, v in theirs.items()},
        "rows": args.rows,
        "sessions": args.sessions,
        "duration_s": args.duration,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
