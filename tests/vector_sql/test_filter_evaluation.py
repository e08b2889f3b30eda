"""A filtered top-k evaluates simple filters with Arrow and the rest with DataFusion; either way it
returns the k nearest of exactly the rows that DataFusion's own WHERE keeps (NULLs, three-valued
logic, parameters, timestamps), checked against a numpy ranking of those rows."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from .conftest import EXACT, route

ROWS, DIM, K = 600, 8, 12
NOW = dt.datetime.now(dt.timezone.utc)
ARROW = [
    ("n < 5", None),
    ("n <= 5 AND f > 0.25", None),
    ("s = 'b'", None),
    ("s <> 'b' OR n IS NULL", None),
    ("NOT (s = 'a')", None),
    ("flag", None),
    ("NOT flag", None),
    ("flag IS NULL", None),
    ("n BETWEEN 2 AND 7", None),
    ("n IN (1, 3, 5) OR s IN ('c')", None),
    ("s IN ('a', 'c') AND NOT (n > 8)", None),
    ("n IS NOT NULL", None),
    ("f > -0.5", None),
    ("ts > now() - interval '2 days'", None),
    ("ts > NOW() - INTERVAL '36 hours' AND s IS NOT NULL", None),
    ("ts < %s", [NOW - dt.timedelta(days=3)]),
    ("d >= %s", [(NOW - dt.timedelta(days=4)).date()]),
    ("n = %s OR s = %s", [4, "c"]),
    ("n < f", None),
    ("n = 3.5", None),
    ("true", None),
    ("s LIKE 'a%'", None),
    ("s NOT ILIKE 'B_' OR s LIKE %s", ["%c"]),
    ("s LIKE '%'", None),
]
DATAFUSION = [
    ("upper(s) = 'A'", None),
    ("n + 1 > 3", None),
    ("n > f * 0 + f", None),
    ("ts > now() - interval '1 month'", None),
    ("n IN (SELECT 3)", None),
    ("n <> 9999999999999999999", None),
]


@pytest.fixture
def mixed(db):
    """Every column type the Arrow filter compares, a NULL in each every few rows, two files."""
    db.execute(
        f"CREATE TABLE items (id bigint PRIMARY KEY, n int, f double precision, s text, flag boolean, "
        f"ts timestamptz, d date, e vector({DIM}))"
    )
    rng = np.random.default_rng(5)
    ids = np.arange(ROWS)
    ts = [NOW - dt.timedelta(hours=float(h)) for h in rng.uniform(0, 120, ROWS)]
    vectors = rng.normal(size=(ROWS, DIM)).astype(np.float32)
    columns = {
        "id": ids,
        "n": pa.array(rng.integers(0, 10, ROWS), pa.int32(), mask=ids % 7 == 0),
        "f": pa.array(rng.normal(size=ROWS), mask=ids % 11 == 0),
        "s": pa.array(rng.choice(["a", "b", "c"], ROWS), mask=ids % 5 == 0),
        "flag": pa.array(rng.random(ROWS) < 0.5, mask=ids % 13 == 0),
        "ts": pa.array(ts, pa.timestamp("us", tz="UTC")),
        "d": pa.array([t.date() for t in ts], pa.date32()),
        "e": pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), DIM),
    }
    table = pa.table(columns)
    for part in (table.slice(0, ROWS // 2), table.slice(ROWS // 2)):
        db.load_arrow("items", part)
    db.execute(EXACT)
    return db, vectors


def _check(db, vectors, where: str, params) -> str:
    query = np.random.default_rng(len(where)).normal(size=DIM).astype(np.float32)
    sql = f"SELECT id FROM items WHERE {where} ORDER BY e <-> %s LIMIT {K}"
    args = (params or []) + [query]
    db.execute(sql, args).fetchall()  # decodes the files, so the filter runs in memory
    got = [r[0] for r in db.execute(sql, args).fetchall()]
    passing = np.array([r[0] for r in db.execute(f"SELECT id FROM items WHERE {where}", params).fetchall()], np.int64)
    distances = np.linalg.norm(vectors[passing].astype(np.float64) - query, axis=1)
    assert got == passing[np.argsort(distances, kind="stable")][:K].tolist()
    return route(db, sql, args)


@pytest.mark.parametrize("where, params", ARROW)
def test_simple_filters_are_evaluated_by_arrow_as_datafusion_would(mixed, where, params):
    assert "filter evaluated in memory by Arrow" in _check(*mixed, where, params)


@pytest.mark.parametrize("where, params", DATAFUSION)
def test_other_filters_are_left_to_datafusion(mixed, where, params):
    strategy = _check(*mixed, where, params)
    assert "filter evaluated in memory" in strategy and "Arrow" not in strategy


def test_the_batch_api_filters_the_same_way(mixed):
    db, vectors = mixed
    queries = np.random.default_rng(9).normal(size=(4, DIM)).astype(np.float32)
    db.search("items", "e", queries, k=K, where="s = %s AND n > %s", params=["a", 2])
    found = db.search("items", "e", queries, k=K, where="s = %s AND n > %s", params=["a", 2])
    passing = np.array([r[0] for r in db.execute("SELECT id FROM items WHERE s = 'a' AND n > 2").fetchall()])
    for query, ids in zip(queries, found.ids):
        distances = np.linalg.norm(vectors[passing].astype(np.float64) - query, axis=1)
        assert ids.tolist() == passing[np.argsort(distances, kind="stable")][:K].tolist()
    assert "by Arrow" in found.strategy


def test_a_nan_leaves_the_filter_to_datafusion_which_orders_it_as_postgresql(mixed):
    """PostgreSQL (and DataFusion) rank NaN above every number; Arrow's comparisons call it unequal to all."""
    db, vectors = mixed
    db.execute("UPDATE items SET f = 'NaN' WHERE id IN (3, 4)")
    for where in ("f > 0.25", "f = 'NaN'::float8 OR n = 1", "NOT (f < 1)"):
        strategy = _check(db, vectors, where, None)
        assert "Arrow" not in strategy
    assert [r[0] for r in db.execute("SELECT id FROM items WHERE f > 1e300 ORDER BY id").fetchall()] == [3, 4]
