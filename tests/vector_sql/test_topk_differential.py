"""The top-k path against the planned path on random tables: the same rows, in PostgreSQL's order.

Each seed makes a small table over a few commits (so several data files), with NULL and zero
vectors, deletes and updates, sometimes an index; then asks random filtered top-k queries with
every operator, exactly (forced), and compares them with the same query written so that no
top-k path can take it (``ORDER BY (distance) + 0, id``): DataFusion sorting every row. Ties
may come in either order, so rows are compared by their distances, and the top-k's own order
must be PostgreSQL's: numbers ascending, then NaN, then NULL.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

import agentlake

from .conftest import EXACT

OPERATORS = ["<->", "<=>", "<#>", "<+>"]
FILTERS = ["", "WHERE g < 2", "WHERE s = 'a'", "WHERE s IS NULL OR g = 3", "WHERE e IS NULL", "WHERE id > 10"]


def _rank(distance: float | None) -> float:
    """A distance's place in PostgreSQL's ascending order (NULLS LAST)."""
    if distance is None:
        return 2e300
    return 1e300 if math.isnan(distance) else round(distance, 9)


def _random_table(db, seed: int) -> int:
    rng, pick = np.random.default_rng(seed), random.Random(seed)
    dim = pick.choice([2, 3, 8])
    db.execute(f"CREATE TABLE t (id bigint PRIMARY KEY, g int, s text, e vector({dim}))")
    next_id = 0
    for _ in range(pick.randint(1, 4)):
        rows = []
        for _ in range(pick.randint(1, 30)):
            vector = None if pick.random() < 0.15 else rng.integers(-3, 4, dim).astype(np.float32)
            rows.append((next_id, pick.randint(0, 4), pick.choice(["a", "b", None]), vector))
            next_id += 1
        db.executemany("INSERT INTO t VALUES (%s, %s, %s, %s)", rows)
    if pick.random() < 0.5:
        db.execute(f"DELETE FROM t WHERE id % {pick.randint(2, 5)} = 0")
    if pick.random() < 0.5:
        db.execute(
            "UPDATE t SET e = %s WHERE g = %s", [rng.integers(-3, 4, dim).astype(np.float32), pick.randint(0, 4)]
        )
    if pick.random() < 0.3:
        db.execute("CREATE INDEX ON t USING hnsw (e vector_l2_ops)")
    return dim


@pytest.mark.parametrize("seed", range(8))
def test_top_k_equals_the_planned_query(repo_url, seed):
    db = agentlake.connect(repo_url)
    dim = _random_table(db, seed)
    db.execute(EXACT)
    rng, pick = np.random.default_rng(1000 + seed), random.Random(1000 + seed)
    for _ in range(12):
        op, k, where = pick.choice(OPERATORS), pick.randint(0, 40), pick.choice(FILTERS)
        query = rng.integers(-3, 4, dim).astype(np.float32)
        direct = db.execute(
            f"SELECT id, e {op} %s AS d FROM t {where} ORDER BY e {op} %s LIMIT {k}", [query, query]
        ).fetchall()
        planned = db.execute(
            f"SELECT id, e {op} %s AS d FROM t {where} ORDER BY (e {op} %s) + 0, id LIMIT {k}", [query, query]
        ).fetchall()
        context = f"seed {seed}: {op} {query.tolist()} k={k} {where}"
        assert sorted(_rank(d) for _, d in direct) == sorted(_rank(d) for _, d in planned), context
        ranks = [_rank(d) for _, d in direct]
        assert ranks == sorted(ranks), context
