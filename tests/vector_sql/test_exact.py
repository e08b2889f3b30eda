"""Exact top-k through ``db.execute`` equals the numpy reference: ids and distances, every metric.

The index exists (built before the changes), but exact search is forced with
``agentlake.vector_exact_threshold``, so answers must match to the last id — including
after inserts, updates and deletes on a branch, and after merging that branch back.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import agentlake

from .conftest import DIM, EXACT, route
from .reference import OPERATORS, Rows, clustered

FILTERS = {
    "none": (None, [], {}),
    "bucket": ("bucket < %s", [100], {"bucket_below": 100}),
    "status_and_bucket": (
        "status = %s AND bucket < %s",
        ["completed", 500],
        {"status": "completed", "bucket_below": 500},
    ),
}


def sql_topk(db, metric: str, query, k: int = 10, where: str | None = None, params=()) -> tuple[np.ndarray, np.ndarray]:
    op = OPERATORS[metric]
    clause = f"WHERE {where}" if where else ""
    rows = db.execute(
        f"SELECT id, embedding {op} %s AS distance FROM items {clause} ORDER BY distance LIMIT {k}", [query, *params]
    ).fetchall()
    return np.array([r[0] for r in rows], dtype=np.int64), np.array([r[1] for r in rows], dtype=np.float64)


def assert_matches(db, rows: Rows, queries: np.ndarray, metric: str, filter_name: str, k: int = 10) -> None:
    where, params, mask_args = FILTERS[filter_name]
    mask = rows.mask(**mask_args) if mask_args else None
    for query in queries:
        ids, dist = sql_topk(db, metric, query, k, where, params)
        want_ids, want_dist = rows.topk(query, k, metric, mask)
        assert_array_equal(ids, want_ids, err_msg=f"{metric} {filter_name}")
        assert_allclose(dist, want_dist, rtol=1e-5, atol=1e-5, err_msg=f"{metric} {filter_name}")


@pytest.mark.parametrize("filter_name", list(FILTERS))
@pytest.mark.parametrize("metric", list(OPERATORS))
def test_exact_equals_numpy(indexed, queries, metric, filter_name):
    db, rows = indexed
    db.execute(EXACT)
    assert_matches(db, rows, queries[:4], metric, filter_name)


def test_order_by_operator_without_alias(indexed, queries):
    db, rows = indexed
    db.execute(EXACT)
    got = db.execute(
        "SELECT id FROM items WHERE bucket < %s ORDER BY embedding <=> %s LIMIT 7", [250, queries[0]]
    ).fetchall()
    assert [r[0] for r in got] == rows.topk(queries[0], 7, "cosine", rows.mask(bucket_below=250))[0].tolist()


@pytest.mark.parametrize("metric", list(OPERATORS))
def test_plain_select_list_answered_from_the_search_equals_the_planned_query(indexed, queries, metric):
    """Columns and the distance come straight from the search's rows; DataFusion, sorting every
    row by the same distance, must give the same table: names, types, values and order."""
    db, _ = indexed
    db.execute(EXACT)
    op = OPERATORS[metric]
    direct = db.execute(
        f"SELECT *, embedding {op} %s AS d, id AS key FROM items ORDER BY embedding {op} %s LIMIT 9",
        [queries[0], queries[0]],
    ).fetch_arrow()
    planned = db.execute(
        f"SELECT *, embedding {op} %s AS d, id AS key FROM items ORDER BY (embedding {op} %s) + 0, id LIMIT 9",
        [queries[0], queries[0]],
    ).fetch_arrow()
    assert direct.schema == planned.schema
    assert direct.to_pylist() == planned.to_pylist()
    sql = f"SELECT *, embedding {op} %s AS d FROM items ORDER BY embedding {op} %s LIMIT 9"
    assert "select list read from the rows found" in route(db, sql, [queries[0], queries[0]])


def change_branch(agent, rows: Rows, queries: np.ndarray) -> Rows:
    """Insert, update and delete on ``agent``, choosing rows that must change the answers."""
    changed = rows.copy()
    rng = np.random.default_rng(5)
    new_ids = np.arange(100_000, 100_040)
    new_vectors = (queries[np.arange(40) % len(queries)] + 0.05 * rng.standard_normal((40, DIM))).astype(np.float32)
    agent.execute(
        "INSERT INTO items VALUES " + ", ".join(["(%s, %s, %s, %s)"] * 40),
        [
            v
            for i, vec in zip(new_ids, new_vectors)
            for v in (int(i), int(i % 1000), "completed" if i % 2 == 0 else "running", vec)
        ],
    )
    changed.insert(new_ids, new_vectors)
    nearest = rows.topk(queries[1], 10, "l2")[0]
    moved = nearest[:5]  # the old nearest neighbours move far away: they must drop out of the answer
    far = (40.0 + rng.standard_normal((len(moved), DIM))).astype(np.float32)  # distinct: no ties to break
    with agent.transaction():
        for row_id, vector in zip(moved, far):
            agent.execute("UPDATE items SET embedding = %s WHERE id = %s", [vector, int(row_id)])
    changed.update(moved, far)
    gone = np.concatenate([nearest[5:], rows.topk(queries[2], 10, "cosine")[0]])
    agent.execute(f"DELETE FROM items WHERE id IN ({', '.join(str(int(i)) for i in gone)})")
    changed.delete(gone)
    return changed


def test_branch_changes_after_index_build_then_merge(indexed, queries, repo_url):
    main, rows = indexed
    agent = agentlake.connect(repo_url, branch="agent-1")
    changed = change_branch(agent, rows, queries)
    for conn in (main, agent):
        conn.execute(EXACT)
    for metric in OPERATORS:
        for filter_name in FILTERS:
            assert_matches(agent, changed, queries[:3], metric, filter_name)
            assert_matches(main, rows, queries[:2], metric, filter_name)
    agent.merge("main")
    for metric in OPERATORS:
        assert_matches(main, changed, queries[:3], metric, "none")
        assert_matches(main, changed, queries[:3], metric, "bucket")


def test_vector_parameter_forms(indexed, queries):
    """numpy arrays (float32 and float64), lists and pgvector.Vector bind to the same query."""
    pgvector = pytest.importorskip("pgvector")
    db, rows = indexed
    db.execute(EXACT)
    query = queries[3]
    want = rows.topk(query, 5, "l2")[0].tolist()
    for form in (query, query.astype(np.float64), [float(x) for x in query], pgvector.Vector(query)):
        got = db.execute("SELECT id FROM items ORDER BY embedding <-> %s LIMIT 5", [form]).fetchall()
        assert [r[0] for r in got] == want, type(form)


def test_named_parameters_and_text_literal(indexed, queries):
    db, rows = indexed
    db.execute(EXACT)
    query = queries[0]
    want = rows.topk(query, 3, "ip", rows.mask(status="running"))[0].tolist()
    named = db.execute(
        "SELECT id FROM items WHERE status = %(s)s ORDER BY embedding <#> %(q)s LIMIT 3", {"s": "running", "q": query}
    ).fetchall()
    literal = "[" + ",".join(repr(float(x)) for x in query) + "]"
    cast = db.execute(
        f"SELECT id FROM items WHERE status = 'running' ORDER BY embedding <#> '{literal}'::vector LIMIT 3"
    ).fetchall()
    assert [r[0] for r in named] == want
    assert [r[0] for r in cast] == want


def test_dimension_mismatch_is_22000(indexed):
    db, _ = indexed
    with pytest.raises(agentlake.DataError) as err:
        db.execute("SELECT id FROM items ORDER BY embedding <-> %s LIMIT 3", [np.ones(DIM + 1, np.float32)]).fetchall()
    assert err.value.sqlstate == "22000"
    assert str(DIM) in str(err.value) and str(DIM + 1) in str(err.value)


def test_distance_outside_topk_shape_agrees(indexed, queries):
    """A distance in the SELECT list and WHERE (not the top-k shape) is evaluated per row, same values."""
    db, rows = indexed
    query = queries[0]
    got = db.execute(
        "SELECT id, embedding <-> %s FROM items WHERE embedding <-> %s < %s ORDER BY id", [query, query, 3.0]
    ).fetchall()
    d = np.sqrt(((rows.vectors.astype(np.float64) - query) ** 2).sum(axis=1))
    assert [r[0] for r in got] == rows.ids[d < 3.0].tolist()
    assert_allclose([r[1] for r in got], d[d < 3.0], rtol=1e-5)


def test_small_table_without_index(db):
    """Files too small for an index are searched exactly, on the default settings."""
    from .conftest import load_items
    from .reference import ITEMS_DDL

    rows = Rows(np.arange(300), clustered(300, 8, seed=9))
    db.execute(ITEMS_DDL.format(dim=8))
    load_items(db, rows, 3)
    db.execute("CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)")
    query = clustered(1, 8, seed=10)[0]
    ids, dist = sql_topk(db, "l2", query, 10, "bucket < %s", [150])
    want_ids, want_dist = rows.topk(query, 10, "l2", rows.mask(bucket_below=150))
    assert_array_equal(ids, want_ids)
    assert_allclose(dist, want_dist, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("metric", list(OPERATORS))
def test_many_small_files_searched_together_equal_numpy(db, metric):
    """What many small commits leave (files too small for an index, searched in one pass together)
    answers as one table would, with the rows updated and deleted since, and with filters."""
    from .conftest import load_items
    from .reference import ITEMS_DDL

    db.repository.compaction.enabled = False  # the small files are the case; folded at rest, they'd be gone
    rows = Rows(np.arange(400), clustered(400, DIM, seed=11))
    db.execute(ITEMS_DDL.format(dim=DIM))
    load_items(db, rows, 20)
    moved, moved_ids = clustered(5, DIM, seed=12), np.array([3, 77, 150, 301, 399])
    for rowid, vector in zip(moved_ids, moved):
        db.execute("UPDATE items SET embedding = %s WHERE id = %s", [vector, int(rowid)])
    rows.update(moved_ids, moved)
    db.execute("DELETE FROM items WHERE id % 9 = 4")
    rows.delete(rows.ids[rows.ids % 9 == 4])
    for filter_name in FILTERS:
        assert_matches(db, rows, clustered(3, DIM, seed=13), metric, filter_name)
    strategy = route(db, f"SELECT id FROM items ORDER BY embedding {OPERATORS[metric]} %s LIMIT 5", [moved[0]])
    assert int(re.search(r"exact over \d+ rows in (\d+) files", strategy).group(1)) > 5


@pytest.mark.parametrize("select", ["id", "id, embedding <-> %s AS d", "id, vector_dims(embedding) AS dims"])
def test_rows_without_a_vector_come_last_when_fewer_than_k_have_one(indexed, queries, select):
    """As in PostgreSQL, ``ORDER BY distance LIMIT k`` sorts NULL distances last: when only two
    matching rows hold a vector, rows without one make up the k (the planned query agrees; SQL
    leaves the order of tied NULLs open)."""
    db, _ = indexed
    db.execute(
        "INSERT INTO items (id, bucket, status, embedding) VALUES (90001, 5000, 'x', NULL), "
        "(90002, 5000, 'x', %s), (90003, 5000, 'x', NULL), (90004, 5000, 'x', %s), (90005, 6000, 'x', NULL)",
        [queries[1], queries[2]],
    )
    params = [queries[0]] * select.count("%s")
    direct = db.execute(
        f"SELECT {select} FROM items WHERE bucket = 5000 ORDER BY embedding <-> %s LIMIT 5", [*params, queries[0]]
    ).fetchall()
    planned = db.execute(
        f"SELECT {select} FROM items WHERE bucket = 5000 ORDER BY (embedding <-> %s) + 0, id LIMIT 5",
        [*params, queries[0]],
    ).fetchall()
    assert direct[:2] == planned[:2]
    assert sorted(direct[2:]) == sorted(planned[2:]) and {row[0] for row in direct[2:]} == {90001, 90003}
    assert "exact over 4 rows" in route(
        db, f"SELECT {select} FROM items WHERE bucket = 5000 ORDER BY embedding <-> %s LIMIT 5", [*params, queries[0]]
    )
