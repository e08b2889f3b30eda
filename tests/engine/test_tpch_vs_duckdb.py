"""The 22 TPC-H queries through agentlake give DuckDB's answers on the same Parquet files.

Data is generated once at scale 0.01 (tests/tpch, cached across sessions), loaded into
a fresh repository with SQL DDL and the catalog's Arrow append (agentlake has no
SQL bulk-load statement yet; COPY exists only on the wire server), and every
query's rows are compared sorted: decimals exactly where both engines return
decimals, floats to a relative 1e-9, and a decimal against a float to the
decimal's own precision (DataFusion's AVG of a decimal keeps 4 more digits,
DuckDB's is a double).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tpch.fixtures import tpch_sf001  # noqa: F401 - the session's generated data (tests/ is on sys.path)

import agentlake

TPCH_DIR = Path(__file__).resolve().parents[1] / "tpch"
QUERIES = sorted(TPCH_DIR.glob("q[0-9][0-9].sql"))

TABLES: dict[str, str] = {
    "region": "r_regionkey bigint PRIMARY KEY, r_name text NOT NULL, r_comment text NOT NULL",
    "nation": "n_nationkey bigint PRIMARY KEY, n_name text NOT NULL, n_regionkey bigint NOT NULL, "
    "n_comment text NOT NULL",
    "supplier": "s_suppkey bigint PRIMARY KEY, s_name text NOT NULL, s_address text NOT NULL, "
    "s_nationkey bigint NOT NULL, s_phone text NOT NULL, s_acctbal decimal(15,2) NOT NULL, "
    "s_comment text NOT NULL",
    "customer": "c_custkey bigint PRIMARY KEY, c_name text NOT NULL, c_address text NOT NULL, "
    "c_nationkey bigint NOT NULL, c_phone text NOT NULL, c_acctbal decimal(15,2) NOT NULL, "
    "c_mktsegment text NOT NULL, c_comment text NOT NULL",
    "part": "p_partkey bigint PRIMARY KEY, p_name text NOT NULL, p_mfgr text NOT NULL, p_brand text NOT NULL, "
    "p_type text NOT NULL, p_size int NOT NULL, p_container text NOT NULL, "
    "p_retailprice decimal(15,2) NOT NULL, p_comment text NOT NULL",
    "partsupp": "ps_partkey bigint NOT NULL, ps_suppkey bigint NOT NULL, ps_availqty int NOT NULL, "
    "ps_supplycost decimal(15,2) NOT NULL, ps_comment text NOT NULL, PRIMARY KEY (ps_partkey, ps_suppkey)",
    "orders": "o_orderkey bigint PRIMARY KEY, o_custkey bigint NOT NULL, o_orderstatus text NOT NULL, "
    "o_totalprice decimal(15,2) NOT NULL, o_orderdate date NOT NULL, o_orderpriority text NOT NULL, "
    "o_clerk text NOT NULL, o_shippriority int NOT NULL, o_comment text NOT NULL",
    "lineitem": "l_orderkey bigint NOT NULL, l_partkey bigint NOT NULL, l_suppkey bigint NOT NULL, "
    "l_linenumber int NOT NULL, l_quantity decimal(15,2) NOT NULL, "
    "l_extendedprice decimal(15,2) NOT NULL, l_discount decimal(15,2) NOT NULL, "
    "l_tax decimal(15,2) NOT NULL, l_returnflag text NOT NULL, l_linestatus text NOT NULL, "
    "l_shipdate date NOT NULL, l_commitdate date NOT NULL, l_receiptdate date NOT NULL, "
    "l_shipinstruct text NOT NULL, l_shipmode text NOT NULL, l_comment text NOT NULL, "
    "PRIMARY KEY (l_orderkey, l_linenumber)",
}


# loading ------------------------------------------------------------------
def load_tpch(db: agentlake.Connection, files: dict[str, list[str]]) -> None:
    """CREATE TABLE through SQL, then one catalog append per table in one commit."""
    for table, columns in TABLES.items():
        db.execute(f"CREATE TABLE {table} ({columns})")
    snapshot = db.repository.snapshot(db.current_branch)
    tx = db.repository.begin(db.current_branch)
    for table, paths in files.items():
        schema = snapshot.manifest(table).schema
        data = pa.concat_tables(pq.read_table(p) for p in paths)
        tx.append(table, pa.table([data.column(f.name).cast(f.type) for f in schema], schema=schema))
    tx.commit(message="load TPC-H")


def duckdb_connection(files: dict[str, list[str]]):
    import duckdb

    con = duckdb.connect()
    for table, paths in files.items():
        listing = ", ".join(f"'{p}'" for p in paths)
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet([{listing}])")
    return con


def statements(sql: str) -> list[str]:
    """A query file's statements, comments dropped (a comment may hold a ';')."""
    return [s.strip() for s in re.sub(r"--[^\n]*", "", sql).split(";") if s.strip()]


def run_agentlake(db: agentlake.Connection, sql: str) -> pa.Table:
    """Run every statement; the answer is the last one that returned rows."""
    answer = None
    for statement in statements(sql):
        cursor = db.execute(statement)
        if cursor.description is not None:
            answer = cursor.fetch_arrow()
    return answer


def run_duckdb(con, sql: str) -> pa.Table:
    answer = None
    for statement in statements(sql):
        relation = con.sql(statement)
        if relation is not None:
            answer = relation.to_arrow_table()
    return answer


# comparing ----------------------------------------------------------------
def _sort_key(row: tuple) -> tuple:
    key = []
    for value in row:
        if value is None:
            key.append((0, 0.0, ""))
        elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            key.append((1, round(float(value), 4), ""))
        else:
            key.append((2, 0.0, str(value)))
    return tuple(key)


def _values_match(ours, theirs) -> bool:
    if ours is None or theirs is None:
        return ours is None and theirs is None
    if isinstance(ours, Decimal) and isinstance(theirs, Decimal):
        return ours == theirs
    if isinstance(ours, (int, float, Decimal)) and isinstance(theirs, (int, float, Decimal)):
        a, b = float(ours), float(theirs)
        if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
            return True
        decimals = [v for v in (ours, theirs) if isinstance(v, Decimal)]
        return bool(decimals) and abs(a - b) <= 10.0 ** decimals[0].as_tuple().exponent
    if isinstance(ours, dt.datetime) or isinstance(theirs, dt.datetime):
        return str(ours)[:19] == str(theirs)[:19]
    return ours == theirs


def mismatch(ours: pa.Table, theirs: pa.Table) -> str | None:
    """None when both results hold the same rows in any order; else what differs first."""
    if ours is None or theirs is None:
        return f"missing result: agentlake={ours is not None} duckdb={theirs is not None}"
    if ours.num_columns != theirs.num_columns:
        return f"{ours.num_columns} columns, DuckDB has {theirs.num_columns}"
    a = sorted(zip(*[c.to_pylist() for c in ours.columns]), key=_sort_key) if ours.num_columns else []
    b = sorted(zip(*[c.to_pylist() for c in theirs.columns]), key=_sort_key) if theirs.num_columns else []
    if len(a) != len(b):
        return f"{len(a)} rows, DuckDB has {len(b)}"
    for index, (x, y) in enumerate(zip(a, b)):
        if not all(_values_match(u, v) for u, v in zip(x, y)):
            return f"row {index}: agentlake {x} != duckdb {y}"
    return None


# tests --------------------------------------------------------------------
@pytest.fixture(scope="session")
def tpch_db(tpch_sf001, tmp_path_factory) -> agentlake.Connection:
    db = agentlake.connect(str(tmp_path_factory.mktemp("tpch-repo") / "repo"))
    load_tpch(db, tpch_sf001)
    return db


@pytest.fixture(scope="session")
def tpch_duckdb(tpch_sf001):
    con = duckdb_connection(tpch_sf001)
    yield con
    con.close()


def test_all_22_queries_are_present():
    assert [q.stem for q in QUERIES] == [f"q{i:02d}" for i in range(1, 23)]


def test_loaded_row_counts_match_parquet(tpch_db, tpch_sf001):
    for table, paths in tpch_sf001.items():
        expected = sum(pq.ParquetFile(p).metadata.num_rows for p in paths)
        assert tpch_db.execute(f"SELECT count(*) FROM {table}").fetchone() == (expected,), table


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_tpch_query_matches_duckdb(query, tpch_db, tpch_duckdb):
    sql = query.read_text()
    ours, theirs = run_agentlake(tpch_db, sql), run_duckdb(tpch_duckdb, sql)
    assert theirs is not None and theirs.num_rows > 0, "DuckDB found no rows: the data or the query is wrong"
    problem = mismatch(ours, theirs)
    assert problem is None, f"{query.stem}: {problem}"


@pytest.mark.parametrize("stem", ["q01", "q03", "q18"])
def test_dask_route_answers_with_the_local_types(stem, tpch_db):
    """Dates and decimals (which pandas partitions hold as timestamps and floats) come back typed as
    the local executor types them; decimal sums are float64 sums on Dask, equal to 1e-9."""
    sql = (TPCH_DIR / f"{stem}.sql").read_text()
    local = run_agentlake(tpch_db, sql)
    tpch_db.execute("SET agentlake.executor = 'dask'")
    try:
        routed = run_agentlake(tpch_db, sql)
    finally:
        tpch_db.execute("RESET agentlake.executor")
    assert [f.type for f in routed.schema] == [f.type for f in local.schema]
    as_floats = pa.table(
        [c.cast(pa.float64()) if pa.types.is_decimal(c.type) else c for c in routed.columns], names=routed.column_names
    )
    averages = [name for name in local.column_names if name.startswith("avg_")]
    assert mismatch(as_floats.drop_columns(averages), local.drop_columns(averages)) is None
    for name in averages:  # Dask keeps DataFusion's six places; the local executor PostgreSQL's digits
        pairs = zip(as_floats.column(name).to_pylist(), local.column(name).to_pylist())
        assert all(abs(float(dask) - float(exact)) <= 1e-6 for dask, exact in pairs), name
