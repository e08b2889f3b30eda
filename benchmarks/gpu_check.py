"""Verify agentlake's GPU paths on one NVIDIA GPU machine (H100/H200, 16 cores), in one run.

The GPU machine has CuPy, PyTorch, pandas and pyarrow but no RAPIDS, Dask or index;
stage the wheels from the project root first (../shared/gpu/stage-wheels explains):

    ../shared/gpu/stage-wheels prepare tpchgen-cli duckdb "datafusion>=55,<56" "sqlglot>=30,<31" faiss-cpu pytest pytest-timeout hypothesis "psycopg[binary]" pgvector sqlalchemy nbformat nbclient
    ../shared/gpu/stage-wheels next     # then on the machine `sh .gpu-carry/recv.sh`, carrying .gpu-carry; once per part
    . /tmp/gpu-env.sh && python3 benchmarks/gpu_check.py     # TPC-H data and repository cached under --data

    python benchmarks/gpu_check.py --cpu-smoke     # the same plumbing on a CPU machine: SF0.01, pandas partitions,
                                                   # Polars on its CPU engine

With ``--skip-tpch`` the run fits a 15-minute GPU lease: on an H100, staging took ~2 minutes
(15 parts), the GPU tests ~45 s and the 1M-vector benchmark ~70 s.

Steps (``--skip-tests``, ``--skip-tpch``, ``--skip-vectors`` split a run across commands; data and
the loaded repository stay cached under ``--data``, by default the git-ignored .bench-cache/):
1. the card's name (exit 2, saying why, where there is no GPU or cuDF cannot be imported);
2. ``pytest -m gpu`` over tests/: passed / failed counts;
3. TPC-H at ``--scale`` (tpchgen-cli Parquet) through the dask-cuDF compiler,
   ``Context(...).sql(q, gpu=True)``, beside DuckDB on all cores on the same files, answers
   checked against DuckDB's with the TPC-H test's rule -> ``tpch_sf10_dask_cudf_geomean_vs_duckdb``
   (target <= 0.5), ``tpch_sf10_dask_cudf_correct`` (target 22); and the same queries through
   ``agentlake.connect`` on a repository holding the tables, default settings (router on auto)
   -> ``tpch_sf10_router_geomean_vs_duckdb``, ``..._correct`` and the executor the router chose
   per query (EXPLAIN's first line);
4. the same queries on the Polars GPU engine (cudf-polars), ``Context(...).sql(q, executor="polars",
   gpu=True)``, beside DuckDB again -> ``tpch_sf10_polars_gpu_geomean_vs_duckdb``,
   ``tpch_sf10_polars_gpu_correct``: steps 3 and 4 measure the two candidate single-GPU executors;
5. ``benchmarks/vector_bench.py --gpu`` in a subprocess: its JSON line.

Times are medians of ``--runs`` runs per query, the engines interleaved. Prints a table,
then one JSON line last, also written to ``--out DIR`` (default ``$OUT``) as ``gpu_check.json``
after every step, so a run cut short still leaves what it measured. A step that fails is
recorded under ``step_errors`` and the run goes on. Only the JSON keys carry the ``sf10`` and
``gpu`` names; ``scale`` and ``gpu`` say what was run (``--cpu-smoke``: SF0.01, pandas
partitions and Polars' CPU engine).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the TPC-H data, queries and answer check live in tests/

import pyarrow as pa  # noqa: E402
from tpch.data import generate  # noqa: E402

import agentlake  # noqa: E402
from agentlake import Context  # noqa: E402
from tests.engine.test_tpch_vs_duckdb import (  # noqa: E402
    QUERIES,
    duckdb_connection,
    load_tpch,
    mismatch,
    run_agentlake,
    run_duckdb,
    statements,
)

DEFAULT_DATA = ROOT / ".bench-cache" / "gpu-check"


# 1. the card -------------------------------------------------------------------
def gpu_name() -> str | None:
    """The first GPU's name from nvidia-smi (or CuPy), None where there is none."""
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True, timeout=30
        )
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired):
        pass
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceProperties(0)["name"].decode()
    except Exception:  # noqa: BLE001 - no CuPy or no device: no GPU to check
        return None


def refusal(card: str | None) -> str | None:
    """Why the GPU steps cannot run here, or None when they can."""
    if card is None:
        return (
            "no NVIDIA GPU found (nvidia-smi and CuPy see none): run this on the GPU machine, "
            "or use --cpu-smoke to check the script's plumbing on a CPU"
        )
    if importlib.util.find_spec("cudf") is None:
        return (
            f"found {card}, but cuDF is not importable: stage the wheels (see this file's docstring) "
            "and start the command with '. /tmp/gpu-env.sh &&'"
        )
    return None


# 2. the gpu-marked tests -------------------------------------------------------
def run_gpu_tests(out: Path | None) -> dict:
    """``pytest -m gpu -q tests`` in a subprocess; the counts from pytest's summary line."""
    cmd = [sys.executable, "-m", "pytest", "-m", "gpu", "-q", "-rs", "tests", "--continue-on-collection-errors"]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    lines = (proc.stdout + proc.stderr).splitlines()
    if out is not None:
        (out / "gpu_tests.log").write_text(proc.stdout + proc.stderr)
    summary = next(
        (line for line in reversed(lines) if re.search(r"\d+ (passed|failed|skipped|deselected|error)", line)), ""
    )
    counts = {
        word.rstrip("s"): int(n) for n, word in re.findall(r"(\d+) (passed|failed|skipped|deselected|errors?)", summary)
    }
    return {
        "passed": counts.get("passed", 0),
        "failed": counts.get("failed", 0),
        "errors": counts.get("error", 0),
        "skipped": counts.get("skipped", 0),
        "exit_code": proc.returncode,
        "seconds": round(time.perf_counter() - started, 1),
        "problems": [line for line in lines if line.startswith(("FAILED", "ERROR"))][:20],
    }


# 3 and 4. TPC-H ------------------------------------------------------------------
def put_tpchgen_on_path() -> None:
    """Wheels staged with ``pip install --target DIR`` keep their programs in DIR/bin."""
    for entry in sys.path:
        if entry and (Path(entry) / "bin" / "tpchgen-cli").exists():
            os.environ["PATH"] = f"{Path(entry) / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
            return


def tpch_files(scale: float, data: Path) -> tuple[dict[str, list[str]], float]:
    """The eight tables as Parquet under ``data/sf<scale>`` (generated once); seconds spent."""
    put_tpchgen_on_path()
    started = time.perf_counter()
    files = generate(scale, data / f"sf{scale:g}")
    return files, time.perf_counter() - started


def tpch_repository(files: dict[str, list[str]], path: Path) -> tuple[agentlake.Connection, float]:
    """A repository holding the TPC-H tables, loaded once (a marker beside it says the load finished)
    and reused after; seconds spent loading."""
    done = path.with_name(path.name + ".loaded")
    if done.exists():
        return agentlake.connect(str(path)), 0.0
    shutil.rmtree(path, ignore_errors=True)  # a load cut short: start again
    db = agentlake.connect(str(path))
    started = time.perf_counter()
    load_tpch(db, files)
    done.touch()
    return db, time.perf_counter() - started


def context_over(
    files: dict[str, list[str]], gpu: bool, partition_rows: int, executor: str = "dask"
) -> tuple[Callable, Callable]:
    """``Context(...).sql(q, gpu=gpu, executor=executor)`` computed and brought to the host as Arrow
    (as the peers answer), and the Arrow schema its plan declares for a query."""
    ctx = Context(partition_rows=partition_rows)
    for table, paths in files.items():
        ctx.create_table(table, paths)

    def run(sql: str) -> pa.Table:
        frame = ctx.sql(statements(sql)[-1], return_futures=False, gpu=gpu, executor=executor)
        if executor == "polars":
            return frame.to_arrow()
        if type(frame).__module__.split(".")[0] == "cudf":
            frame = frame.to_pandas()
        return pa.Table.from_pandas(frame, preserve_index=False)

    def declared(sql: str) -> pa.Schema:
        return ctx.session.sql(statements(sql)[-1]).schema()

    return run, declared


def as_declared(answer: pa.Table, declared: pa.Schema, peer: pa.Schema) -> pa.Table:
    """A DataFrame answer in the types its plan declares where pandas and cuDF frames cannot hold them.

    Dates come back as midnight timestamps and decimals as floats. A float column the plan
    declares decimal is compared as that decimal where DuckDB answers a float (its AVG), the
    rule the TPC-H test applies to the local executor's decimals; against DuckDB's decimals it
    stays a float and is compared to a relative 1e-9 (a float sum is not exact to the cent).
    """
    if not answer.num_columns == len(declared) == len(peer):
        return answer  # mismatch() reports the difference
    columns = []
    for column, want, theirs in zip(answer.columns, declared.types, peer.types):
        if pa.types.is_date(want) and pa.types.is_timestamp(column.type):
            as_date = column.cast(want)
            if as_date.cast(column.type).equals(column):  # only whole days: never hide a time of day
                column = as_date
        elif pa.types.is_decimal(want) and pa.types.is_floating(column.type) and pa.types.is_floating(theirs):
            column = column.cast(want)
        columns.append(column)
    return pa.table(columns, names=answer.column_names)


def route(db: agentlake.Connection, sql: str) -> str:
    """The router's choice for a query: EXPLAIN's first line, less its prefix."""
    first = db.execute("EXPLAIN " + statements(sql)[-1]).fetchone()[0]
    return first.removeprefix("agentlake route: ")


def route_taken(db: agentlake.Connection) -> str | None:
    """The route the last query really took (a compiler may decline and fall back to local)."""
    runner = getattr(getattr(db, "_session", None), "runner", None)
    return getattr(runner, "last_route", None)


def measure(engines: dict[str, Callable[[str], pa.Table]], sql: str, runs: int) -> tuple[dict, dict, dict]:
    """Per engine: run times (s), the first answer, and the error if it failed; engines interleaved,
    the order rotated each run so none is always first after another's cache warm-up."""
    times: dict[str, list[float]] = {name: [] for name in engines}
    answers: dict[str, pa.Table] = {}
    errors: dict[str, str] = {}
    names = list(engines)
    for run in range(runs):
        for name in names[run % len(names) :] + names[: run % len(names)]:
            if name in errors:
                continue
            started = time.perf_counter()
            try:
                answer = engines[name](sql)
            except Exception as err:  # noqa: BLE001 - a failing query is a result here, not a crash
                errors[name] = f"{type(err).__name__}: {str(err).splitlines()[0][:150] if str(err) else ''}"
                continue
            times[name].append(time.perf_counter() - started)
            answers.setdefault(name, answer)
    return times, answers, errors


def run_tpch(
    files: dict[str, list[str]],
    candidates: dict[str, tuple[Callable, Callable]],
    db: agentlake.Connection | None,
    runs: int,
) -> list[dict]:
    """The 22 queries: DuckDB on all cores beside each candidate (name -> ``context_over``'s pair),
    and (with ``db``) the agent API on auto."""
    duck = duckdb_connection(files)
    duck.execute(f"SET threads = {os.cpu_count()}")
    engines = {"duckdb": lambda sql: run_duckdb(duck, sql), **{name: run for name, (run, _) in candidates.items()}}
    if db is not None:
        engines["router"] = lambda sql: run_agentlake(db, sql)
    rows = []
    for query in QUERIES:
        sql = query.read_text()
        row = {"query": query.stem}
        if db is not None:
            row["route"] = _safe(lambda: route(db, sql))
        times, answers, errors = measure(engines, sql, runs)
        for name in engines:
            row[f"{name}_ms"] = 1000 * statistics.median(times[name]) if times[name] else math.nan
        if db is not None:
            row["route_taken"] = route_taken(db)
        for name, (_, declared) in candidates.items():
            if name in answers and "duckdb" in answers:
                answers[name] = as_declared(answers[name], declared(sql), answers["duckdb"].schema)
        for name in engines:
            if name != "duckdb":
                row[f"{name}_problem"] = (
                    errors.get(name) or errors.get("duckdb") or mismatch(answers[name], answers["duckdb"])
                )
        rows.append(row)
        print(
            f"{query.stem}: " + ", ".join(f"{n} {row[f'{n}_ms']:.1f} ms" for n in engines), file=sys.stderr, flush=True
        )
    duck.close()
    return rows


def _safe(fn: Callable[[], str]) -> str:
    try:
        return fn()
    except Exception as err:  # noqa: BLE001
        return f"EXPLAIN failed: {type(err).__name__}: {err}"[:150]


def geomean_vs(rows: list[dict], name: str, peer: str = "duckdb") -> float | None:
    ratios = [
        r[f"{name}_ms"] / r[f"{peer}_ms"]
        for r in rows
        if math.isfinite(r.get(f"{name}_ms", math.nan)) and math.isfinite(r[f"{peer}_ms"])
    ]
    return math.exp(sum(map(math.log, ratios)) / len(ratios)) if ratios else None


def tpch_summary(rows: list[dict], name: str, key: str) -> dict:
    """The JSON keys of one TPC-H step: candidate ``name``'s geomean and correct count as
    ``tpch_sf10_<key>_...``, the router's when it ran beside it, and the details per query."""
    out = {
        f"tpch_sf10_{key}_geomean_vs_duckdb": geomean_vs(rows, name),
        f"tpch_sf10_{key}_correct": sum(r[f"{name}_problem"] is None for r in rows),
        f"tpch_sf10_{key}_per_query_ms": {
            r["query"]: {k.removesuffix("_ms"): v for k, v in r.items() if k.endswith("_ms")} for r in rows
        },
        f"tpch_sf10_{key}_problems": {r["query"]: r[f"{name}_problem"] for r in rows if r[f"{name}_problem"]},
    }
    if rows and "router_ms" in rows[0]:
        out.update(
            {
                "tpch_sf10_router_geomean_vs_duckdb": geomean_vs(rows, "router"),
                "tpch_sf10_router_correct": sum(r["router_problem"] is None for r in rows),
                "tpch_sf10_router_executors": dict(Counter(r["route"].split(" ")[0] for r in rows)),
                "tpch_sf10_routes": {r["query"]: r["route"] for r in rows},
                "tpch_sf10_routes_taken": {
                    r["query"]: r["route_taken"]
                    for r in rows
                    if r.get("route_taken") and r["route_taken"] != r.get("route")
                },
                "tpch_sf10_router_problems": {r["query"]: r["router_problem"] for r in rows if r["router_problem"]},
            }
        )
    return out


# 5. vectors ---------------------------------------------------------------------
def run_vector_bench(n: int) -> dict:
    """``vector_bench.py --gpu`` (CAGRA through db.search beside raw cuVS): its last output line, parsed."""
    cmd = [
        sys.executable,
        str(ROOT / "benchmarks" / "vector_bench.py"),
        "--gpu",
        "--n",
        str(n),
        "--threads",
        str(os.cpu_count()),
    ]
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)  # its progress goes to our stderr
    lines = proc.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        return {"error": f"exit {proc.returncode}: see its stderr above"}


# report -------------------------------------------------------------------------
def _round(value: Any) -> Any:
    """JSON-safe: floats to 4 places, NaN and infinities to null, containers recursively."""
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_round(v) for v in value]
    return value


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def print_tables(results: dict, steps: dict[str, tuple[str, list[dict]]]) -> None:
    """A table per TPC-H step (label -> candidate name and its rows), then the summary."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=170)
    for label, (name, rows) in steps.items():
        if not rows:
            continue
        table = Table(
            title=f"TPC-H SF{results['scale']:g} on {results['card']}: {label}, median of {results['runs']} runs, ms"
        )
        for column in ("query", "duckdb", label, "vs duckdb", "matches", "router", "vs duckdb", "matches", "route"):
            table.add_column(column, justify="left" if column in ("query", "matches", "route") else "right")
        for r in rows:
            duck = r["duckdb_ms"]
            router = r.get("router_ms", math.nan)
            table.add_row(
                r["query"],
                _fmt(duck, 1),
                _fmt(r[f"{name}_ms"], 1),
                _fmt(r[f"{name}_ms"] / duck, 2),
                _matches(r, name),
                _fmt(router, 1),
                _fmt(router / duck, 2),
                _matches(r, "router"),
                _executors(r),
            )
        console.print(table)
    summary = Table(title="GPU check")
    for column in ("check", "value", "target"):
        summary.add_column(column)
    tests = results.get("gpu_tests") or {}
    summary.add_row("card", str(results["card"]), "H100 / H200")
    summary.add_row(
        "pytest -m gpu",
        f"{tests['passed']} passed, {tests['failed']} failed, {tests['errors']} errors, {tests['skipped']} skipped"
        if tests
        else "not run",
        "0 failed, 0 skipped",
    )
    for label, key in (("dask-cuDF", "dask_cudf"), ("Polars GPU", "polars_gpu"), ("router", "router")):
        summary.add_row(
            f"TPC-H {label} geomean vs DuckDB",
            _fmt(results.get(f"tpch_sf10_{key}_geomean_vs_duckdb")),
            "<= 0.5" if key != "router" else "report",
        )
        summary.add_row(f"TPC-H {label} correct", f"{results.get(f'tpch_sf10_{key}_correct', '-')}/22", "22")
    summary.add_row("router executors", json.dumps(results.get("tpch_sf10_router_executors")), "gpu for the large ones")
    vectors = (results.get("vectors") or {}).get("gpu") or {}
    summary.add_row(
        "CAGRA QPS at recall 0.95 (agentlake / cuVS)",
        f"{_fmt(vectors.get('gpu_qps_at_recall95'), 0)} / {_fmt(vectors.get('cuvs_qps_at_recall95'), 0)}"
        if vectors
        else json.dumps(results.get("vectors"))[:80],
        "report",
    )
    if results.get("step_errors"):
        summary.add_row("failed steps", ", ".join(results["step_errors"]), "none")
    console.print(summary)


def _matches(row: dict, name: str) -> str:
    if f"{name}_problem" not in row:
        return "-"
    problem = row[f"{name}_problem"]
    return "yes" if problem is None else f"NO: {problem[:40]}"


def _executors(row: dict) -> str:
    """The executor EXPLAIN named, and the one that ran when they differ (a compiler declined)."""
    chosen = row.get("route", "-").split(" ")[0]
    taken = (row.get("route_taken") or chosen).split(" ")[0]
    return chosen if taken == chosen else f"{chosen}, ran {taken}"


def save(results: dict, out: Path | None) -> None:
    """Write what is known so far to ``out``/gpu_check.json (when there is an output folder)."""
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "gpu_check.json").write_text(json.dumps(_round(results), indent=1))


def run_step(results: dict, out: Path | None, name: str, step: Callable[[], Any]) -> Any:
    """Run one step; a failure is recorded under ``step_errors`` (the traceback to stderr) and the
    run goes on. The JSON is saved after it either way."""
    try:
        return step()
    except Exception as err:  # noqa: BLE001 - one step failing must not lose the others
        traceback.print_exc()
        results.setdefault("step_errors", {})[name] = (
            f"{type(err).__name__}: {str(err).splitlines()[0][:300] if str(err) else ''}"
        )
        return None
    finally:
        save(results, out)


def tpch_steps(
    args: argparse.Namespace, scale: float, gpu: bool, results: dict, out: Path | None
) -> dict[str, tuple[str, list[dict]]]:
    """Steps 3 and 4: the dask-cuDF compiler (and the router) and the Polars GPU engine on TPC-H."""
    files, results["tpch_generate_s"] = tpch_files(scale, args.data)
    save(results, out)
    steps: dict[str, tuple[str, list[dict]]] = {}

    def dask_step() -> None:
        db, results["tpch_load_s"] = tpch_repository(files, args.data / f"sf{scale:g}-repo")
        try:
            rows = run_tpch(files, {"dask": context_over(files, gpu, args.partition_rows)}, db, args.runs)
        finally:
            db.close()
        steps["Context dask-cuDF" if gpu else "Context dask-pandas"] = ("dask", rows)
        results.update(tpch_summary(rows, "dask", "dask_cudf"))

    def polars_step() -> None:
        rows = run_tpch(files, {"polars": context_over(files, gpu, args.partition_rows, "polars")}, None, args.runs)
        steps["Context Polars GPU" if gpu else "Context Polars CPU"] = ("polars", rows)
        results.update(tpch_summary(rows, "polars", "polars_gpu"))

    run_step(results, out, "tpch_dask_cudf", dask_step)
    run_step(results, out, "tpch_polars_gpu", polars_step)
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=None, help="TPC-H scale factor (default 10; 0.01 with --cpu-smoke)"
    )
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="where TPC-H Parquet and its repository are cached"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(os.environ["OUT"]) if os.environ.get("OUT") else None,
        help="folder for gpu_check.json (written after every step) and gpu_tests.log; default $OUT",
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs per query and engine (the median is reported)")
    parser.add_argument("--partition-rows", type=int, default=1_000_000, help="Context's rows per partition")
    parser.add_argument("--vector-n", type=int, default=1_000_000, help="rows for vector_bench.py --gpu")
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--skip-vectors", action="store_true")
    parser.add_argument("--skip-tpch", action="store_true", help="skip steps 3-4 (to split a run across commands)")
    parser.add_argument(
        "--cpu-smoke",
        action="store_true",
        help="no GPU needed: steps 3-4 at SF0.01 over pandas partitions and Polars' CPU engine (gpu=False), no vectors",
    )
    args = parser.parse_args(argv)
    scale = args.scale if args.scale is not None else (0.01 if args.cpu_smoke else 10.0)
    gpu = not args.cpu_smoke

    card = gpu_name()
    print(f"GPU: {card or 'none'}", file=sys.stderr, flush=True)
    why_not = None if args.cpu_smoke else refusal(card)
    if why_not:
        print(f"gpu_check: {why_not}", file=sys.stderr)
        return 2
    results: dict = {
        "card": card or "none (cpu smoke)",
        "scale": scale,
        "runs": args.runs,
        "gpu": gpu,
        "cpus": os.cpu_count(),
    }
    out = args.out
    save(results, out)

    if not args.skip_tests:
        results["gpu_tests"] = run_step(results, out, "gpu_tests", lambda: run_gpu_tests(out))

    steps: dict[str, tuple[str, list[dict]]] = {}
    if not args.skip_tpch:
        steps = run_step(results, out, "tpch", lambda: tpch_steps(args, scale, gpu, results, out)) or {}

    if args.skip_vectors or args.cpu_smoke:
        results["vectors"] = {"skipped": "--cpu-smoke" if args.cpu_smoke else "--skip-vectors"}
    else:
        results["vectors"] = run_step(results, out, "vectors", lambda: run_vector_bench(args.vector_n))
    save(results, out)

    print_tables(results, steps)
    print(json.dumps(_round(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
