"""agentlake's SQL path against named peers, measured in one run.

    python benchmarks/sql_bench.py            # SF1 TPC-H, 1,000 point selects, 500 inserts
    python benchmarks/sql_bench.py --quick    # a smoke run: SF0.01, fewer samples

Prints a table, then one JSON line (the last line of output):
- point_select_p50_ms: ``SELECT * FROM t WHERE id = %s`` on a 100,000-row table by
  primary key through ``db.execute(...).fetchall()``, median over distinct fresh keys;
  DuckDB and DataFusion on in-memory copies of the table are measured beside it.
- insert_autocommit_p50_ms: one-row INSERT, autocommit, full durability, beside
  PostgreSQL 16's INSERT+COMMIT (the ``pgserver`` package) on the same disk. Disk
  latency here swings with load, so the ratio is what to read.
- tpch_sf1_geomean_vs_duckdb / _vs_datafusion: geometric mean over the 22 TPC-H
  queries of agentlake's time over the peer's, best of ``--reps``, engines interleaved
  per query; the peers read the generated Parquet files directly.
- tpch_sf1_correct: how many of the 22 answers match DuckDB's (same rule as the tests).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the TPC-H data, queries and answer check live in tests/

from peers import postgres  # noqa: E402
from tpch.data import generate  # noqa: E402

import agentlake  # noqa: E402
from tests.engine.test_tpch_vs_duckdb import (  # noqa: E402
    QUERIES,
    duckdb_connection,
    load_tpch,
    mismatch,
    run_agentlake,
    run_duckdb,
    statements,
)

POINT_ROWS = 100_000


def _ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


# point selects --------------------------------------------------------------
def bench_point_select(workdir: Path, samples: int) -> dict[str, float]:
    db = agentlake.connect(str(workdir / "point-repo"))
    db.execute("CREATE TABLE t (id bigint PRIMARY KEY, name text, score double precision, n int)")
    chunk = 1000  # multi-row INSERTs with bound parameters: the client path an agent would use to bulk-load
    insert = "INSERT INTO t VALUES " + ", ".join(["(%s, %s, %s, %s)"] * chunk)
    for start in range(1, POINT_ROWS + 1, chunk):
        db.execute(insert, [v for g in range(start, start + chunk) for v in (g, f"name-{g}", g * 0.5, g % 97)])
    keys = random.Random(7).sample(range(1, POINT_ROWS + 1), samples + 20)
    warm, keys = keys[:20], keys[20:]
    for key in warm:
        db.execute("SELECT * FROM t WHERE id = %s", [key]).fetchall()
    ours = [_ms(lambda k=k: db.execute("SELECT * FROM t WHERE id = %s", [k]).fetchall()) for k in keys]
    table = db.execute("SELECT * FROM t").fetch_arrow()

    import duckdb

    duck = duckdb.connect()
    duck.register("src", table)
    duck.execute("CREATE TABLE t AS SELECT * FROM src")
    duck_ms = [_ms(lambda k=k: duck.execute("SELECT * FROM t WHERE id = ?", [k]).fetchall()) for k in keys]

    from datafusion import SessionContext

    ctx = SessionContext()
    ctx.register_record_batches("t", [table.to_batches()])
    fusion_ms = [_ms(lambda k=k: ctx.sql(f"SELECT * FROM t WHERE id = {k}").to_pylist()) for k in keys]
    return {
        "point_select_p50_ms": statistics.median(ours),
        "point_select_duckdb_p50_ms": statistics.median(duck_ms),
        "point_select_datafusion_p50_ms": statistics.median(fusion_ms),
    }


# single-row inserts ---------------------------------------------------------
def bench_insert(workdir: Path, samples: int) -> dict[str, float | None]:
    db = agentlake.connect(str(workdir / "insert-repo"), durability="full")
    db.execute("CREATE TABLE events (id bigint PRIMARY KEY, kind text, payload text)")
    for key in range(20):
        db.execute("INSERT INTO events VALUES (%s, %s, %s)", [-key - 1, "warm", "x"])
    ours = [
        _ms(lambda k=k: db.execute("INSERT INTO events VALUES (%s, %s, %s)", [k, "note", "p" * 40]))
        for k in range(samples)
    ]
    return {"insert_autocommit_p50_ms": statistics.median(ours), **_postgres_insert(workdir, samples)}


def _postgres_insert(workdir: Path, samples: int) -> dict[str, float | None]:
    """INSERT+COMMIT on PostgreSQL 16 (fsync on, synchronous_commit on), or None when unavailable."""
    import psycopg

    with postgres(workdir / "pg") as dsn:
        if dsn is None:
            return {"postgres_insert_commit_p50_ms": None}
        with psycopg.connect(dsn, autocommit=True) as conn:
            settings = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in ("fsync", "synchronous_commit")}
            assert settings == {"fsync": "on", "synchronous_commit": "on"}, settings
            conn.execute("CREATE TABLE events (id bigint PRIMARY KEY, kind text, payload text)")
            for key in range(20):
                conn.execute("INSERT INTO events VALUES (%s, %s, %s)", [-key - 1, "warm", "x"])
            theirs = [
                _ms(lambda k=k: conn.execute("INSERT INTO events VALUES (%s, %s, %s)", [k, "note", "p" * 40]))
                for k in range(samples)
            ]
    return {"postgres_insert_commit_p50_ms": statistics.median(theirs)}


# TPC-H ----------------------------------------------------------------------
def _datafusion_context(files: dict[str, list[str]]):
    from datafusion import SessionContext

    ctx = SessionContext()
    for table, paths in files.items():
        ctx.register_parquet(table, paths[0] if len(paths) == 1 else str(Path(paths[0]).parent))
    return ctx


def _run_datafusion(ctx, sql: str):
    answer = None
    for statement in statements(sql):
        frame = ctx.sql(statement)
        answer = frame.to_arrow_table()
    return answer


def bench_tpch(workdir: Path, scale: float, reps: int, data_dir: Path | None) -> tuple[dict, list[dict]]:
    files = generate(scale, data_dir)
    db = agentlake.connect(str(workdir / "tpch-repo"))
    load_s = _ms(lambda: load_tpch(db, files)) / 1000
    duck, fusion = duckdb_connection(files), _datafusion_context(files)
    engines = {
        "agentlake": lambda sql: run_agentlake(db, sql),
        "duckdb": lambda sql: run_duckdb(duck, sql),
        "datafusion": lambda sql: _run_datafusion(fusion, sql),
    }
    per_query = []
    for query in QUERIES:
        sql = query.read_text()
        best = {name: math.inf for name in engines}
        answers, errors = {}, {}
        for rep in range(reps):
            order = list(engines)[rep % 3 :] + list(engines)[: rep % 3]  # rotate who goes first
            for name in order:
                if name in errors:
                    continue
                start = time.perf_counter()
                try:
                    answers[name] = engines[name](sql)
                except Exception as err:
                    errors[name] = f"{type(err).__name__}: {str(err).splitlines()[0][:120]}"
                    continue
                best[name] = min(best[name], (time.perf_counter() - start) * 1000)
        problem = errors.get("agentlake") or errors.get("duckdb") or mismatch(answers["agentlake"], answers["duckdb"])
        per_query.append(
            {
                "query": query.stem,
                **{f"{n}_ms": best[n] for n in engines},
                "correct": problem is None,
                "problem": problem,
            }
        )
    timed = [q for q in per_query if math.isfinite(q["agentlake_ms"])]

    def geomean(peer: str) -> float | None:
        ratios = [q["agentlake_ms"] / q[f"{peer}_ms"] for q in timed if math.isfinite(q[f"{peer}_ms"])]
        return math.exp(sum(map(math.log, ratios)) / len(ratios)) if ratios else None

    summary = {
        "tpch_scale": scale,
        "tpch_load_s": round(load_s, 2),
        "tpch_sf1_geomean_vs_duckdb": geomean("duckdb"),
        "tpch_sf1_geomean_vs_datafusion": geomean("datafusion"),
        "tpch_sf1_correct": sum(q["correct"] for q in per_query),
    }
    return summary, per_query


# report ---------------------------------------------------------------------
def _fmt(value) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) and math.isfinite(value) else str(value)


def report(results: dict, per_query: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=110)
    if per_query:
        table = Table(title=f"TPC-H SF{results['tpch_scale']:g} (best of reps, ms)")
        for column in ("query", "agentlake", "duckdb", "datafusion", "vs duckdb", "vs datafusion", "matches duckdb"):
            table.add_column(column, justify="right" if column != "query" else "left")
        for q in per_query:
            ours = q["agentlake_ms"]
            table.add_row(
                q["query"],
                _fmt(ours),
                _fmt(q["duckdb_ms"]),
                _fmt(q["datafusion_ms"]),
                _fmt(ours / q["duckdb_ms"]),
                _fmt(ours / q["datafusion_ms"]),
                "yes" if q["correct"] else f"NO: {q['problem']}",
            )
        console.print(table)
    summary = Table(title="agentlake SQL benchmark")
    for column in ("metric", "agentlake", "peer", "peer value", "target"):
        summary.add_column(column)
    summary.add_row(
        "point select p50 (ms)",
        _fmt(results.get("point_select_p50_ms")),
        "DuckDB / DataFusion in-memory",
        f"{_fmt(results.get('point_select_duckdb_p50_ms'))} / {_fmt(results.get('point_select_datafusion_p50_ms'))}",
        "<= 1 ms",
    )
    summary.add_row(
        "insert autocommit p50 (ms)",
        _fmt(results.get("insert_autocommit_p50_ms")),
        "PostgreSQL 16 INSERT+COMMIT",
        _fmt(results.get("postgres_insert_commit_p50_ms")),
        "<= PostgreSQL",
    )
    if per_query:
        summary.add_row("TPC-H geomean vs DuckDB", _fmt(results["tpch_sf1_geomean_vs_duckdb"]), "DuckDB", "1", "report")
        summary.add_row(
            "TPC-H geomean vs DataFusion",
            _fmt(results["tpch_sf1_geomean_vs_datafusion"]),
            "raw DataFusion",
            "1",
            "<= 1.1",
        )
        summary.add_row("TPC-H correct", f"{results['tpch_sf1_correct']}/22", "DuckDB answers", "", "22")
    console.print(summary)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: SF0.01, 200 point selects, 100 inserts")
    parser.add_argument(
        "--scale", type=float, default=None, help="TPC-H scale factor (default 1, or 0.01 with --quick)"
    )
    parser.add_argument("--reps", type=int, default=None, help="timed runs per TPC-H query and engine")
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="TPC-H Parquet directory (default: tests/tpch's per-scale cache)"
    )
    parser.add_argument("--skip-tpch", action="store_true")
    args = parser.parse_args(argv)
    scale = args.scale if args.scale is not None else (0.01 if args.quick else 1.0)
    reps = args.reps or (1 if args.quick else 3)
    selects, inserts = (200, 100) if args.quick else (1000, 500)

    results: dict = {}
    per_query: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="agentlake-bench-") as tmp:
        workdir = Path(tmp)
        results.update(bench_point_select(workdir, selects))
        results.update(bench_insert(workdir, inserts))
        pg = results.get("postgres_insert_commit_p50_ms")
        results["insert_vs_postgres"] = results["insert_autocommit_p50_ms"] / pg if pg else None
        if not args.skip_tpch:
            summary, per_query = bench_tpch(workdir, scale, reps, args.data_dir)
            results.update(summary)
    report(results, per_query)
    print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in results.items()}))
    return results


if __name__ == "__main__":
    main()
