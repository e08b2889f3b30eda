"""pgvector's SQL surface beyond the operators: vector aggregates, text literals where a vector
is expected, typed casts, and bad settings or index options refused up front with 22023."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from numpy.testing import assert_allclose

import agentlake

from .conftest import APPROXIMATE, route

VECTORS = {1: [1, 2, 3], 2: [4, 5, 6], 3: None, 4: [0, 0, 1], 5: [2, 2, 2]}
GROUPS = {1: "a", 2: "a", 3: "b", 4: "b", 5: "b"}


@pytest.fixture
def notes(db):
    db.execute("CREATE TABLE notes (id bigint PRIMARY KEY, grp text, e vector(3))")
    db.executemany(
        "INSERT INTO notes VALUES (%s, %s, %s)",
        [(i, GROUPS[i], None if v is None else np.array(v, np.float32)) for i, v in VECTORS.items()],
    )
    return db


def _of(group: str) -> np.ndarray:
    return np.array([v for i, v in VECTORS.items() if GROUPS[i] == group and v is not None], np.float64)


def test_avg_and_sum_of_vectors_skip_nulls_beside_numeric_aggregates(notes):
    rows = notes.execute(
        "SELECT grp, avg(e), sum(n.e), avg(id), sum(id) FROM notes AS n GROUP BY grp ORDER BY grp"
    ).fetchall()
    assert [r[0] for r in rows] == ["a", "b"]
    for group, avg, total, avg_id, sum_id in rows:
        assert_allclose(avg, _of(group).mean(axis=0), rtol=1e-6)
        assert_allclose(total, _of(group).sum(axis=0), rtol=1e-6)
        ids = [i for i in VECTORS if GROUPS[i] == group]
        assert (float(avg_id), sum_id) == (pytest.approx(np.mean(ids)), sum(ids))
    ((unit_mean,),) = notes.execute("SELECT avg(l2_normalize(e)) FROM notes WHERE id < 3").fetchall()
    unit = _of("a") / np.linalg.norm(_of("a"), axis=1, keepdims=True)
    assert_allclose(unit_mean, unit.mean(axis=0), rtol=1e-6)
    ((literal_sum,),) = notes.execute("SELECT sum('[1,1,1]'::vector) FROM notes").fetchall()
    assert literal_sum.tolist() == [5.0, 5.0, 5.0]
    assert notes.execute("SELECT avg(e), sum(e), count(*) FROM notes WHERE id < 0").fetchall() == [(None, None, 0)]


def test_text_literals_are_vectors_where_a_function_expects_one(notes):
    q = "[1,0,0]"
    got = notes.execute(
        "SELECT l2_distance(e, %s), inner_product(e, %s), cosine_distance(e, %s), l1_distance(%s, e), "
        "vector_dims('[1,2]'), vector_norm('[3,4]'), l2_normalize('[3,4]'), subvector('[1,2,3]', 2, 2) "
        "FROM notes WHERE id = 2",
        [q, q, q, q],
    ).fetchall()[0]
    x, y = np.array([4, 5, 6], np.float64), np.array([1, 0, 0], np.float64)
    assert_allclose(got[:4], [np.linalg.norm(x - y), x @ y, 1 - x @ y / np.linalg.norm(x), np.abs(x - y).sum()])
    assert got[4:6] == (2, 5.0)
    assert_allclose(got[6], [0.6, 0.8], rtol=1e-6)
    assert got[7].tolist() == [2.0, 3.0]


def test_vector_arithmetic_comparison_and_text_as_pgvector(notes):
    cur = notes.execute(
        "SELECT e + e, e - '[1,1,1]', e * '[2,0,1]', e::text, '[1.5,2,1e-05]'::vector::text FROM notes WHERE id = 1"
    )
    names = [d[0] for d in cur.description]
    assert (names[0], names[3]) == ("?column?", "e")  # as PostgreSQL names them (repeats get a suffix)
    total, difference, product, text, literal = cur.fetchall()[0]
    assert (total.tolist(), difference.tolist(), product.tolist()) == ([2, 4, 6], [0, 1, 2], [2, 0, 3])
    assert (text, literal) == ("[1,2,3]", "[1.5,2,1e-05]")
    assert notes.execute("SELECT id FROM notes WHERE e = '[4,5,6]' OR e + e = '[4,4,4]' ORDER BY id").fetchall() == [
        (2,),
        (5,),
    ]
    with pytest.raises(agentlake.Error) as mismatch:
        notes.execute("SELECT e + '[1,2]' FROM notes")
    with pytest.raises(agentlake.Error) as overflow:
        notes.execute("SELECT e * '[3e38,3e38,3e38]' FROM notes")
    assert (mismatch.value.sqlstate, overflow.value.sqlstate) == ("22000", "22003")


def test_typed_vector_cast_checks_the_dimension(db):
    ((vector,),) = db.execute("SELECT '[1,2]'::vector(2)").fetchall()
    assert vector.dtype == np.float32 and vector.tolist() == [1.0, 2.0]  # a vector, as a vector column reads
    with pytest.raises(agentlake.DataError) as wrong:
        db.execute("SELECT '[1,2,3]'::vector(2)")
    assert wrong.value.sqlstate == "22000" and "expected 2 dimensions, not 3" in str(wrong.value)


def test_a_vector_cast_to_vector_keeps_it_and_checks_the_dimension(notes):
    rows = notes.execute("SELECT e::vector, e::vector(3), (e + e)::vector(3) FROM notes WHERE id = 1").fetchall()
    assert [v.tolist() for v in rows[0]] == [[1, 2, 3], [1, 2, 3], [2, 4, 6]]
    with pytest.raises(agentlake.DataError) as wrong:
        notes.execute("SELECT e::vector(2) FROM notes")
    assert wrong.value.sqlstate == "22000" and "expected 2 dimensions, not 3" in str(wrong.value)


@pytest.mark.parametrize(
    "statement,message",
    [
        ("SET hnsw.ef_search = 'many'", 'invalid value for parameter "hnsw.ef_search"'),
        ("SET hnsw.ef_search = 0", 'outside the valid range for parameter "hnsw.ef_search" (1 .. 1000)'),
        ("SET ivfflat.probes = -3", 'outside the valid range for parameter "ivfflat.probes"'),
        (
            "SET agentlake.recall_target = 1.5",
            'outside the valid range for parameter "agentlake.recall_target" (0 .. 1)',
        ),
        ("SET agentlake.vector_exact_threshold = 'none'", "invalid value"),
        ("SET hnsw.iterative_scan = sometimes", 'invalid value for parameter "hnsw.iterative_scan"'),
        ("SET ivfflat.max_probes = 0", 'outside the valid range for parameter "ivfflat.max_probes"'),
    ],
)
def test_bad_vector_settings_are_refused_and_the_session_keeps_working(notes, statement, message):
    before = notes.execute("SELECT id FROM notes ORDER BY e <-> '[1,2,3]' LIMIT 2").fetchall()
    with pytest.raises(agentlake.Error) as refused:
        notes.execute(statement)
    assert refused.value.sqlstate == "22023" and message in str(refused.value)
    assert notes.execute("SELECT id FROM notes ORDER BY e <-> '[1,2,3]' LIMIT 2").fetchall() == before == [(1,), (5,)]


def test_set_to_default_resets_and_set_local_lasts_one_transaction(db):
    db.execute("SET hnsw.ef_search = 200")
    assert db.execute("SHOW hnsw.ef_search").fetchall() == [("200",)]
    db.execute("SET hnsw.ef_search TO DEFAULT")
    assert db.execute("SHOW hnsw.ef_search").fetchall() == [("40",)]
    db.execute("SET LOCAL hnsw.ef_search = 300")  # outside a transaction: a notice, no effect
    assert db.notices[-1] == "SET LOCAL can only be used in transaction blocks"
    for end in ("COMMIT", "ROLLBACK"):
        db.execute("SET hnsw.ef_search = 90")
        db.execute("BEGIN")
        db.execute("SET LOCAL hnsw.ef_search = 300")
        db.execute("SET LOCAL ivfflat.probes TO DEFAULT")
        assert db.execute("SHOW hnsw.ef_search").fetchall() == [("300",)]
        db.execute(end)
        assert db.execute("SHOW hnsw.ef_search").fetchall() == [("90",)]


def test_pgvector_iterative_scan_settings_are_accepted_and_filtered_queries_still_fill_k(notes):
    """pgvector 0.8's advice for filtered queries runs unchanged; the engine always fills k anyway."""
    for statement in (
        "SET hnsw.iterative_scan = strict_order",
        "SET hnsw.max_scan_tuples = 40000",
        "SET hnsw.scan_mem_multiplier = 2",
        "SET ivfflat.iterative_scan = relaxed_order",
        "SET ivfflat.max_probes = 100",
    ):
        notes.execute(statement)
    assert notes.execute("SHOW hnsw.iterative_scan").fetchall() == [("strict_order",)]
    rows = notes.execute("SELECT id FROM notes WHERE grp = 'b' ORDER BY e <-> '[0,0,0]' LIMIT 2").fetchall()
    assert rows == [(4,), (5,)]


@pytest.mark.parametrize(
    "clause,sqlstate,message",
    [
        ("USING hnsw (e vector_l2_ops) WITH (m = 'wide')", "22023", 'invalid value for integer option "m"'),
        ("USING hnsw (e vector_l2_ops) WITH (m = 1)", "22023", 'value 1 out of bounds for option "m"'),
        (
            "USING hnsw (e vector_l2_ops) WITH (m = 40)",
            "22023",
            "ef_construction must be greater than or equal to 2 * m",
        ),
        ("USING hnsw (e vector_l2_ops) WITH (ef_search = 10)", "22023", 'unrecognized parameter "ef_search"'),
        ("USING ivfflat (e vector_l2_ops) WITH (lists = 0)", "22023", 'out of bounds for option "lists"'),
        ("USING ivf_pq (e vector_l2_ops) WITH (m = 2)", "22023", "must divide the vector's 3 dimensions"),
        ("USING ivf_pq (e vector_l2_ops) WITH (device = 'tpu')", "22023", 'invalid value for option "device"'),
        (
            "USING btree (e vector_l2_ops)",
            "42704",
            'operator class "vector_l2_ops" does not exist for access method "btree"',
        ),
        (
            "USING gin (e vector_l2_ops)",
            "42704",
            'operator class "vector_l2_ops" does not exist for access method "gin"',
        ),
    ],
)
def test_bad_index_options_are_refused_at_create_index(notes, clause, sqlstate, message):
    with pytest.raises(agentlake.Error) as refused:
        notes.execute(f"CREATE INDEX notes_e ON notes {clause}")
    assert refused.value.sqlstate == sqlstate and message in str(refused.value)
    notes.execute("CREATE INDEX notes_e ON notes USING hnsw (e vector_l2_ops) WITH (m = 8, ef_construction = '32')")


def test_a_query_vector_with_nan_is_refused_not_answered_empty(notes):
    for bad, message in (
        (np.array([np.nan, 0, 0], np.float32), "NaN not allowed in vector"),
        ([np.inf, 1.0, 2.0], "infinite value not allowed in vector"),
    ):
        with pytest.raises(agentlake.DataError) as sql:
            notes.execute("SELECT id FROM notes ORDER BY e <-> %s LIMIT 2", [bad])
        with pytest.raises(agentlake.DataError) as batch:
            notes.search("notes", "e", np.atleast_2d(bad), k=2)
        assert sql.value.sqlstate == batch.value.sqlstate == "22000"
        assert str(sql.value) == message  # pgvector's message, without the internal tag
    with pytest.raises(agentlake.Error) as negative:
        notes.search("notes", "e", [[1.0, 2.0, 3.0]], k=-1)
    assert negative.value.sqlstate == "2201W"
    with pytest.raises(agentlake.DataError) as dims:
        notes.execute("SELECT id FROM notes ORDER BY e <-> '[1,2]' LIMIT 2")
    assert str(dims.value) == "different vector dimensions 3 and 2"


def _percentages(messages: list[str], index: str) -> list[int]:
    return [int(m.split(": ")[1].split("%")[0]) for m in messages if m.startswith(f'index "{index}": ')]


def test_create_index_reports_its_progress_as_notices(db):
    db.execute("CREATE TABLE items (id bigint PRIMARY KEY, e vector(8))")
    x = np.random.default_rng(5).normal(size=(6000, 8)).astype(np.float32)
    db.load_arrow("items", pa.table({"id": np.arange(6000), "e": pa.FixedSizeListArray.from_arrays(x.reshape(-1), 8)}))
    db.execute("CREATE INDEX items_hnsw ON items USING hnsw (e vector_l2_ops)")
    shown = _percentages(db.notices, "items_hnsw")
    assert shown == sorted(set(shown)) and len(shown) >= 3 and shown[-1] == 100
    assert db.notices[-1] == 'index "items_hnsw": 100% built (6,000 of 6,000 rows, file 1 of 1)'
    db.notices.clear()
    live: list[str] = []
    db.add_notice_handler(live.append)  # handed over as they happen, not kept
    db.execute("CREATE INDEX items_ivf ON items USING ivfflat (e vector_l2_ops) WITH (lists = 20)")
    assert _percentages(live, "items_ivf")[-1] == 100 and db.notices == []


def test_reindex_rebuilds_an_index_file_that_is_missing(db, repo_url):
    db.execute("CREATE TABLE items (id bigint PRIMARY KEY, e vector(8))")
    x = np.random.default_rng(6).normal(size=(5000, 8)).astype(np.float32)
    db.load_arrow("items", pa.table({"id": np.arange(5000), "e": pa.FixedSizeListArray.from_arrays(x.reshape(-1), 8)}))
    db.execute("CREATE INDEX items_hnsw ON items USING hnsw (e vector_l2_ops)")
    stored = list(Path(repo_url).rglob("*.idx"))
    assert len(stored) == 1
    stored[0].unlink()  # as if the build after a commit never finished
    sql, query = "SELECT id FROM items ORDER BY e <-> %s LIMIT 5", [x[7]]
    db.execute(APPROXIMATE)
    assert "exact over 5000 rows" in route(db, sql, query)
    db.execute("REINDEX INDEX items_hnsw")
    assert stored[0].exists() and "hnsw" in route(db, sql, query)
    assert db.execute(sql, query).fetchall()[0] == (7,)
    db.execute("REINDEX TABLE items")
    for scope in ("SCHEMA public", "DATABASE anything"):
        stored[0].unlink()
        db.execute(f"REINDEX {scope}")
        assert stored[0].exists()
    with pytest.raises(agentlake.Error) as missing:
        db.execute("REINDEX INDEX nothing_here")
    assert missing.value.sqlstate == "42704"
    with pytest.raises(agentlake.Error) as schema:
        db.execute("REINDEX SCHEMA elsewhere")
    assert schema.value.sqlstate == "3F000"


def test_explain_of_a_top_k_describes_the_search_not_a_sort(notes):
    """A top-k runs as a vector search, so EXPLAIN shows that search (index, filter, and with
    ANALYZE the strategy, rows and time), never the full-sort plan DataFusion would have run."""
    notes.execute("CREATE INDEX notes_e_l2 ON notes USING hnsw (e vector_l2_ops) WITH (m = 8, ef_construction = 32)")
    sql = "SELECT id FROM notes WHERE grp = %s ORDER BY e <-> %s LIMIT 2"
    plan = [r[0] for r in notes.execute(f"EXPLAIN {sql}", ["a", [1, 0, 0]]).fetchall()]
    assert plan[:4] == [
        "agentlake route: vector top-k on notes.e (l2, k=2, filtered)",
        "Vector Top-K on notes.e: L2 distance, k=2",
        "  Filter: grp = 'a'",
        "  Index: notes_e_l2 (hnsw, m=8, ef_construction=32) on 0 of 5 data files; smaller files are searched exactly",
    ]
    analyzed = [r[0] for r in notes.execute(f"EXPLAIN ANALYZE {sql}", ["a", [1, 0, 0]]).fetchall()]
    assert analyzed[0].startswith("agentlake route: exact over") and "  Rows: 2" in analyzed
    assert not any("Sort" in line or "plan" in line for line in plan + analyzed)
    cosine = [r[0] for r in notes.execute("EXPLAIN SELECT id FROM notes ORDER BY e <=> '[1,0,0]' LIMIT 1").fetchall()]
    assert "  Index: none for cosine distance on e: every data file is searched exactly" in cosine


def test_vectors_in_a_list_of_text_literals(notes):
    rows = notes.execute("SELECT id FROM notes WHERE e IN ('[1,2,3]', '[0,0,1]', '[9,9,9]') ORDER BY id").fetchall()
    assert rows == [(1,), (4,)]
    assert notes.execute("SELECT id FROM notes WHERE e NOT IN ('[1,2,3]') ORDER BY id").fetchall() == [(2,), (4,), (5,)]


def test_nulls_first_puts_rows_without_a_vector_before_the_nearest(notes):
    sql = "SELECT id FROM notes ORDER BY e <-> '[0,0,1]' {} LIMIT 2"
    assert notes.execute(sql.format("NULLS FIRST")).fetchall() == [(3,), (4,)]
    assert notes.execute(sql.format("NULLS LAST")).fetchall() == [(4,), (1,)]


@pytest.mark.parametrize("select", ["id", "id, e <=> %s AS d", "id, e::text AS t"])
def test_a_zero_vector_has_a_nan_cosine_distance_sorted_before_nulls(db, select):
    """pgvector's cosine distance to a zero vector is NaN; PostgreSQL sorts NaN after every number
    and before NULL. A top-k short of rows with a distance takes those rows in that order, and the
    planned path (DataFusion sorting the same distances) agrees."""
    db.execute("CREATE TABLE pts (id bigint PRIMARY KEY, e vector(2))")
    db.execute("INSERT INTO pts VALUES (1, '[0,0]'), (2, '[1,0]'), (3, NULL), (4, '[0,1]'), (5, '[2,2]')")
    params = [[1, 1]] * select.count("%s")
    direct = db.execute(f"SELECT {select} FROM pts ORDER BY e <=> %s LIMIT 5", [*params, [1, 1]]).fetchall()
    planned = db.execute(f"SELECT {select} FROM pts ORDER BY (e <=> %s) + 0, id LIMIT 5", [*params, [1, 1]]).fetchall()
    assert [r[0] for r in direct] == [r[0] for r in planned] == [5, 2, 4, 1, 3]
    if "AS d" in select:
        assert np.isnan(direct[3][1]) and np.isnan(planned[3][1]) and direct[4][1] is None is planned[4][1]
    everything_undefined = db.execute("SELECT id FROM pts ORDER BY e <=> '[0,0]' LIMIT 3").fetchall()
    assert everything_undefined == [(1,), (2,), (4,)]


@pytest.mark.parametrize(
    "condition, dims", [("e = '[1,2]'", "3 and 2"), ("'[1,2]' < e", "2 and 3"), ("e IN ('[1,2,3]', '[1]')", "3 and 1")]
)
def test_comparing_vectors_of_different_dimensions_is_22000(notes, condition, dims):
    with pytest.raises(agentlake.DataError, match=f"different vector dimensions {dims}") as err:
        notes.execute(f"SELECT id FROM notes WHERE {condition}")
    assert err.value.sqlstate == "22000"
