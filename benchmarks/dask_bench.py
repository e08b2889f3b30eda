"""TPC-H through agentlake's plan-to-Dask compiler, against DataFusion and hand-written Dask.

    python benchmarks/dask_bench.py [--scale 1] [--partition-rows 1000000] [--scheduler threads]
    python benchmarks/dask_bench.py --skip-tpch        # only the router's small-query latency

* correctness: all 22 queries through ``Context.sql`` compared with DataFusion's own
  execution of the same SQL on the same files -> ``tpch_sf1_dask_correct``;
* overhead: Q1, Q3, Q5, Q6 and Q10 written by hand in dask.dataframe over the very
  same partitions (the compiler's own row-group reader), best of ``--repeat`` runs ->
  ``tpch_sf1_dask_geomean_vs_handwritten`` (compiler time / hand-written time);
* router overhead on small queries: a point select by key on a ``--router-rows`` (10M) row
  table through ``agentlake.connect(...).execute``, with ``SET agentlake.executor = 'auto'``
  and with ``'local'``, interleaved -> ``router_small_query_p50_ms`` (auto),
  ``router_small_query_local_p50_ms`` and ``router_small_query_auto_vs_local`` (target <= 1).
  The table is built once with ``db.load_arrow`` and kept under ``--data``.

Prints a table, then one JSON line last. Only the JSON keys carry the ``sf1`` name;
at other scales the numbers are for that scale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

import dask
import dask.dataframe as dd
import datafusion
import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "dask")]

from dask_compare import assert_same_rows  # noqa: E402
from tpch.data import generate  # noqa: E402
from tpch.fixtures import query_text  # noqa: E402

import agentlake  # noqa: E402
from agentlake import Context  # noqa: E402
from agentlake.executors.dask.source import TableSource, read_source  # noqa: E402


def _d(text: str):
    return dt.datetime.fromisoformat(text)


def hand_q1(t):
    li = t(
        "lineitem",
        ["l_returnflag", "l_linestatus", "l_quantity", "l_extendedprice", "l_discount", "l_tax", "l_shipdate"],
    )
    li = li[li.l_shipdate <= _d("1998-09-02")]
    li = li.assign(disc_price=li.l_extendedprice * (1 - li.l_discount))
    li = li.assign(charge=li.disc_price * (1 + li.l_tax))
    g = li.groupby(["l_returnflag", "l_linestatus"]).agg(
        sum_qty=("l_quantity", "sum"),
        sum_base_price=("l_extendedprice", "sum"),
        sum_disc_price=("disc_price", "sum"),
        sum_charge=("charge", "sum"),
        avg_qty=("l_quantity", "mean"),
        avg_price=("l_extendedprice", "mean"),
        avg_disc=("l_discount", "mean"),
        count_order=("l_quantity", "size"),
    )
    return g.reset_index().sort_values(["l_returnflag", "l_linestatus"])


def hand_q3(t):
    c = t("customer", ["c_custkey", "c_mktsegment"])
    o = t("orders", ["o_orderkey", "o_custkey", "o_orderdate", "o_shippriority"])
    li = t("lineitem", ["l_orderkey", "l_extendedprice", "l_discount", "l_shipdate"])
    c = c[c.c_mktsegment == "BUILDING"]
    o = o[o.o_orderdate < _d("1995-03-15")]
    li = li[li.l_shipdate > _d("1995-03-15")]
    j = c.merge(o, left_on="c_custkey", right_on="o_custkey").merge(li, left_on="o_orderkey", right_on="l_orderkey")
    j = j.assign(revenue=j.l_extendedprice * (1 - j.l_discount))
    g = j.groupby(["l_orderkey", "o_orderdate", "o_shippriority"]).revenue.sum().reset_index()
    return g.nlargest(10, "revenue")[["l_orderkey", "revenue", "o_orderdate", "o_shippriority"]]


def hand_q5(t):
    c = t("customer", ["c_custkey", "c_nationkey"])
    o = t("orders", ["o_orderkey", "o_custkey", "o_orderdate"])
    li = t("lineitem", ["l_orderkey", "l_suppkey", "l_extendedprice", "l_discount"])
    s = t("supplier", ["s_suppkey", "s_nationkey"])
    n = t("nation", ["n_nationkey", "n_name", "n_regionkey"])
    r = t("region", ["r_regionkey", "r_name"])
    r = r[r.r_name == "ASIA"]
    o = o[(o.o_orderdate >= _d("1994-01-01")) & (o.o_orderdate < _d("1995-01-01"))]
    nr = n.merge(r, left_on="n_regionkey", right_on="r_regionkey")
    sn = s.merge(nr, left_on="s_nationkey", right_on="n_nationkey")
    j = c.merge(o, left_on="c_custkey", right_on="o_custkey").merge(li, left_on="o_orderkey", right_on="l_orderkey")
    j = j.merge(sn, left_on=["l_suppkey", "c_nationkey"], right_on=["s_suppkey", "s_nationkey"])
    j = j.assign(revenue=j.l_extendedprice * (1 - j.l_discount))
    return j.groupby("n_name").revenue.sum().reset_index().sort_values("revenue", ascending=False)


def hand_q6(t):
    li = t("lineitem", ["l_extendedprice", "l_discount", "l_quantity", "l_shipdate"])
    li = li[
        (li.l_shipdate >= _d("1994-01-01"))
        & (li.l_shipdate < _d("1995-01-01"))
        & (li.l_discount >= 0.05)
        & (li.l_discount <= 0.07)
        & (li.l_quantity < 24)
    ]
    return (li.l_extendedprice * li.l_discount).sum()


def hand_q10(t):
    c = t("customer", ["c_custkey", "c_name", "c_acctbal", "c_address", "c_phone", "c_comment", "c_nationkey"])
    o = t("orders", ["o_orderkey", "o_custkey", "o_orderdate"])
    li = t("lineitem", ["l_orderkey", "l_extendedprice", "l_discount", "l_returnflag"])
    n = t("nation", ["n_nationkey", "n_name"])
    o = o[(o.o_orderdate >= _d("1993-10-01")) & (o.o_orderdate < _d("1994-01-01"))]
    li = li[li.l_returnflag == "R"]
    j = c.merge(o, left_on="c_custkey", right_on="o_custkey").merge(li, left_on="o_orderkey", right_on="l_orderkey")
    j = j.merge(n, left_on="c_nationkey", right_on="n_nationkey")
    j = j.assign(revenue=j.l_extendedprice * (1 - j.l_discount))
    keys = ["c_custkey", "c_name", "c_acctbal", "c_phone", "n_name", "c_address", "c_comment"]
    g = j.groupby(keys).revenue.sum().reset_index()
    return g.nlargest(20, "revenue")


HANDWRITTEN = {1: hand_q1, 3: hand_q3, 5: hand_q5, 6: hand_q6, 10: hand_q10}
DEFAULT_DATA = ROOT / ".bench-cache" / "dask-bench"
POINT_SELECT = "SELECT * FROM t WHERE id = %s"


def best_time(fn, repeat: int) -> float:
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--partition-rows", type=int, default=1_000_000)
    parser.add_argument("--scheduler", default="threads")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="where the router's table is kept")
    parser.add_argument("--router-rows", type=int, default=10_000_000)
    parser.add_argument("--router-samples", type=int, default=2000, help="point selects timed per executor setting")
    parser.add_argument("--skip-tpch", action="store_true")
    parser.add_argument("--skip-router", action="store_true", help="skip router_small_query_p50_ms")
    args = parser.parse_args(argv)

    result: dict = {}
    if not args.skip_tpch:
        result.update(bench_tpch(args))
    if not args.skip_router:
        router = bench_router_small(args.data, args.router_rows, args.router_samples)
        _print_router_table(router)
        result.update(router)
    print(json.dumps(result))
    return result


def bench_tpch(args) -> dict:
    files = generate(args.scale)
    ctx = Context(partition_rows=args.partition_rows)
    oracle = datafusion.SessionContext()
    sources = {}
    for table, paths in files.items():
        ctx.create_table(table, paths)
        oracle.register_parquet(table, paths[0])
        sources[table] = TableSource.from_parquet(paths)

    def table(name: str, columns: list[str]) -> dd.DataFrame:
        return read_source(sources[name], columns, None, None, args.partition_rows, False)

    rows, correct, ratios = [], 0, []
    with dask.config.set(scheduler=args.scheduler):
        for number in range(1, 23):
            query = query_text(number)
            start = time.perf_counter()
            try:
                got = ctx.sql(query, return_futures=False)
                compiled_s = time.perf_counter() - start
                start = time.perf_counter()
                expected = oracle.sql(query).to_arrow_table()
                datafusion_s = time.perf_counter() - start
                assert_same_rows(got, expected)
                ok, note = True, ""
            except Exception as exc:  # a wrong or unsupported query is a result here, not a crash
                compiled_s, datafusion_s, ok, note = math.nan, math.nan, False, f"{type(exc).__name__}: {exc}"[:60]
            correct += ok
            hand_s = ratio = math.nan
            if number in HANDWRITTEN and ok:
                compiled_s = best_time(lambda: ctx.sql(query, return_futures=False), args.repeat)
                hand_s = best_time(lambda: HANDWRITTEN[number](table).compute(), args.repeat)
                ratio = compiled_s / hand_s
                ratios.append(ratio)
            rows.append((number, ok, compiled_s, datafusion_s, hand_s, ratio, note))

    geomean = math.exp(sum(map(math.log, ratios)) / len(ratios)) if ratios else math.nan
    _print_table(rows, args)
    return {
        "scale": args.scale,
        "tpch_sf1_dask_correct": correct,
        "tpch_sf1_dask_geomean_vs_handwritten": round(geomean, 3),
    }


# router on small queries ------------------------------------------------------
def router_repository(data: Path, rows: int) -> Path:
    """A repository whose table ``t(id bigint PRIMARY KEY, grp int, score double precision)`` holds
    ``rows`` rows, loaded once with ``db.load_arrow`` (a marker beside it says the load finished)."""
    path = data / f"router-{rows}"
    done = path.with_name(path.name + ".loaded")
    if done.exists():
        return path
    shutil.rmtree(path, ignore_errors=True)  # a load cut short: start again
    db = agentlake.connect(str(path))
    db.execute("CREATE TABLE t (id bigint PRIMARY KEY, grp int, score double precision)")
    ids = np.arange(rows, dtype=np.int64)
    db.load_arrow("t", pa.table({"id": ids, "grp": (ids % 1000).astype(np.int32), "score": ids * 0.5}))
    db.close()
    done.touch()
    return path


def bench_router_small(data: Path, rows: int, samples: int) -> dict:
    """p50 of a point select by key with the executor on 'auto' and on 'local', one connection each
    over the same repository (shared caches), alternating which goes first; answers checked."""
    started = time.perf_counter()
    path = router_repository(data, rows)
    build_s = time.perf_counter() - started
    first = agentlake.connect(str(path))
    conns = {"auto": first, "local": agentlake.connect(first.repository)}
    for setting, db in conns.items():
        db.execute(f"SET agentlake.executor = '{setting}'")
    keys = random.Random(7).sample(range(rows), samples + 10)
    for key in keys[:10]:  # warm: the file's key map and columns are read once, then cached
        for db in conns.values():
            db.execute(POINT_SELECT, [key]).fetchall()
    times: dict[str, list[float]] = {setting: [] for setting in conns}
    wrong = 0
    for i, key in enumerate(keys[10:]):
        answers = {}
        for setting in list(conns) if i % 2 == 0 else list(conns)[::-1]:
            start = time.perf_counter()
            answers[setting] = conns[setting].execute(POINT_SELECT, [key]).fetchall()
            times[setting].append(time.perf_counter() - start)
        wrong += not (answers["auto"] == answers["local"] == [(key, key % 1000, key * 0.5)])
    routes = {
        s: db.execute("EXPLAIN " + POINT_SELECT, [keys[0]]).fetchone()[0].removeprefix("agentlake route: ")
        for s, db in conns.items()
    }
    for db in conns.values():
        db.close()
    auto_ms, local_ms = (1000 * statistics.median(times[s]) for s in ("auto", "local"))
    return {
        "router_small_query_rows": rows,
        "router_small_query_p50_ms": round(auto_ms, 4),
        "router_small_query_local_p50_ms": round(local_ms, 4),
        "router_small_query_auto_vs_local": round(auto_ms / local_ms, 3),
        "router_small_query_wrong_answers": wrong,
        "router_small_query_route": routes["auto"],
        "router_small_query_local_route": routes["local"],
        "router_small_query_build_s": round(build_s, 1),
    }


def _print_router_table(r: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"point select by key on {r['router_small_query_rows']:,} rows: agentlake.connect(...).execute, p50 ms"
    )
    for column in ("agentlake.executor", "p50 ms", "route (EXPLAIN)", "auto / local", "wrong answers"):
        table.add_column(column)
    table.add_row(
        "auto",
        f"{r['router_small_query_p50_ms']:.3f}",
        r["router_small_query_route"],
        f"{r['router_small_query_auto_vs_local']:.2f} (target <= 1)",
        str(r["router_small_query_wrong_answers"]),
    )
    table.add_row("local", f"{r['router_small_query_local_p50_ms']:.3f}", r["router_small_query_local_route"], "", "")
    Console(width=120).print(table)


def _print_table(rows, args) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"TPC-H SF{args.scale:g}: Context.sql (Dask, {args.scheduler}) vs DataFusion "
        f"and hand-written dask.dataframe"
    )
    for column in ("query", "correct", "dask compiler s", "datafusion s", "hand-written s", "compiler/hand", "note"):
        table.add_column(column)
    for number, ok, compiled_s, datafusion_s, hand_s, ratio, note in rows:
        table.add_row(
            f"Q{number:02d}",
            "yes" if ok else "NO",
            f"{compiled_s:.3f}",
            f"{datafusion_s:.3f}",
            "" if math.isnan(hand_s) else f"{hand_s:.3f}",
            "" if math.isnan(ratio) else f"{ratio:.2f}",
            note,
        )
    Console().print(table)


if __name__ == "__main__":
    main()
