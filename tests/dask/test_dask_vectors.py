"""pgvector's SQL on the Dask executor: through ``agentlake.Context`` and through the engine with
``SET agentlake.executor = 'dask'``, answered as the embedded (DataFusion) engine answers, over
a repository table of several files, deleted rows and NULL vectors split into many partitions."""

from __future__ import annotations

from decimal import Decimal

import dask
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from numpy.testing import assert_allclose

import agentlake
from agentlake import Context, DataError, NotSupportedError

DIM = 8
ROWS = 1200
Q = "[" + ",".join(["0.5"] * DIM) + "]"
ONES = "[" + ",".join(["1"] * DIM) + "]"
QUERIES = [
    f"SELECT id, e <-> '{Q}' AS l2, e <=> '{Q}' AS cos, e <#> '{Q}' AS ip, e <+> '{Q}' AS l1 FROM items",
    f"SELECT id FROM items WHERE grp = 'b' ORDER BY e <-> '{Q}', id LIMIT 7",
    f"SELECT id, l2_distance(e, '{Q}') AS d FROM items WHERE cosine_distance(e, '{Q}') < 0.5",
    "SELECT grp, avg(e) AS a, sum(e) AS s, count(e) AS n, avg(id) AS mean_id FROM items GROUP BY grp",
    "SELECT avg(l2_normalize(e)) AS unit, sum(e + e) AS twice FROM items WHERE id % 3 = 0",
    "SELECT sum(e) AS s, count(*) AS n FROM items WHERE id < 0",
    "SELECT id, vector_dims(e) AS n, vector_norm(e) AS norm, subvector(e, 2, 3) AS sub, e[1] AS first, "
    "e::text AS t FROM items WHERE id < 40",
    f"SELECT id, e - '{Q}' AS diff, e * e AS sq FROM items WHERE e <> '{Q}' AND id < 30",
    f"SELECT id FROM items WHERE e = '{Q}'",
    f"SELECT id, e IN ('{Q}', '{ONES}') AS listed FROM items WHERE e NOT IN ('{ONES}') OR e IS NULL",
    "SELECT a.id AS a, b.id AS b, a.e <-> b.e AS d FROM items a JOIN items b ON a.id + 1 = b.id WHERE a.id < 50",
]


@pytest.fixture(autouse=True)
def sync_scheduler():
    with dask.config.set(scheduler="sync"):
        yield


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> str:
    """``items`` in three files, with NULL vectors, one row equal to the query, and deleted rows."""
    url = str(tmp_path_factory.mktemp("dask-vectors") / "repo")
    db = agentlake.connect(url)
    db.execute(f"CREATE TABLE items (id bigint PRIMARY KEY, grp text, e vector({DIM}))")
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(ROWS, DIM)).astype(np.float32)
    vectors[5] = 0.5
    for part in np.array_split(np.arange(ROWS), 3):
        embeddings = pa.FixedSizeListArray.from_arrays(
            pa.array(vectors[part].reshape(-1)), DIM, mask=pa.array(part % 11 == 0)
        )
        db.load_arrow("items", pa.table({"id": part, "grp": ["abc"[i % 3] for i in part], "e": embeddings}))
    db.execute("DELETE FROM items WHERE id % 7 = 1")
    db.close()
    return url


def _rows(values) -> list[tuple]:
    """Rows in a stable order, vectors as tuples of float32 and NaN or NA as NULL, to compare answers;
    numerics (an average of integers) as floats, as Dask keeps decimals (executors/dask/partitions.py)."""

    def cell(v):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, (list, np.ndarray)):
            return tuple(np.asarray(v, np.float32).round(4).tolist())
        return round(float(v), 9) if isinstance(v, (float, np.floating, Decimal)) else v

    rows = [tuple(cell(v) for v in row) for row in values]
    return sorted(rows, key=lambda r: [(x is None, str(x)) for x in r])


def _local(db, sql: str) -> list[tuple]:
    db.execute("SET agentlake.executor = 'local'")
    return _rows(db.execute(sql).fetchall())


@pytest.mark.parametrize("sql", QUERIES)
def test_context_answers_vector_sql_as_the_engine(repo, engine, sql):
    ctx = Context(repo, partition_rows=100)
    got = ctx.sql(sql).compute()
    assert _rows(got.itertuples(index=False, name=None)) == _local(engine, sql)


@pytest.mark.parametrize("sql", QUERIES)
def test_engine_dask_executor_matches_local(engine, sql):
    want = _local(engine, sql)
    engine.execute("SET agentlake.executor = 'dask'")
    try:
        assert _rows(engine.execute(sql).fetchall()) == want
    finally:
        engine.execute("RESET agentlake.executor")


def test_vector_columns_come_back_as_vectors_not_text(repo, engine):
    ctx = Context(repo, partition_rows=100)
    assert ctx.sql("SELECT id, e FROM items").npartitions > 1
    frame = ctx.sql("SELECT id, e FROM items WHERE id = 2").compute()
    assert isinstance(frame["e"].dtype, pd.ArrowDtype)
    assert_allclose(frame["e"].iloc[0], engine.execute("SELECT e FROM items WHERE id = 2").fetchone()[0])
    engine.execute("SET agentlake.executor = 'dask'")
    try:
        ((vector,),) = engine.execute("SELECT e FROM items WHERE id = 2").fetchall()
    finally:
        engine.execute("RESET agentlake.executor")
    assert vector.dtype == np.float32 and vector.shape == (DIM,)


def test_pandas_frame_with_vector_column():
    frame = pd.DataFrame({"id": [1, 2, 3]})
    frame["e"] = pd.Series(
        pa.array([[0, 0], [3, 4], [1, 1]], pa.list_(pa.float32(), 2)), dtype=pd.ArrowDtype(pa.list_(pa.float32(), 2))
    )
    ctx = Context()
    ctx.create_table("points", frame)
    got = ctx.sql("SELECT id, e <-> '[0,0]' AS d FROM points ORDER BY d DESC LIMIT 2", return_futures=False)
    assert got["id"].tolist() == [2, 3]
    assert_allclose(got["d"], [5.0, np.sqrt(2)])
    (mean,) = ctx.sql("SELECT avg(e) AS m FROM points", return_futures=False)["m"]
    assert_allclose(mean, [4 / 3, 5 / 3], rtol=1e-6)


def test_bad_vector_input_fails_with_pgvector_sqlstates(repo):
    ctx = Context(repo, partition_rows=100)
    with pytest.raises(DataError) as wrong_dims:
        ctx.sql("SELECT e <-> '[1,2,3]' FROM items").compute()
    assert wrong_dims.value.sqlstate == "22000" and "different vector dimensions" in str(wrong_dims.value)
    with pytest.raises(DataError) as bad_text:
        ctx.sql("SELECT e <-> '[1,x]' FROM items").compute()
    assert bad_text.value.sqlstate == "22P02"
    with pytest.raises(NotSupportedError) as unknown_dimension:
        ctx.sql("SELECT avg(subvector(e, 1, 2)) FROM items")
    assert unknown_dimension.value.sqlstate == "0A000"


def test_engine_dask_executor_refuses_what_it_cannot_answer(engine):
    engine.execute("SET agentlake.executor = 'dask'")
    try:
        with pytest.raises(NotSupportedError) as refused:
            engine.execute("SELECT avg(subvector(e, 1, 2)) FROM items")
        assert refused.value.sqlstate == "0A000" and "unknown dimension" in str(refused.value)
        assert engine.execute("SELECT count(e) FROM items").fetchall() == [
            (_local(engine, "SELECT count(e) FROM items")[0][0],)
        ]
    finally:
        engine.execute("RESET agentlake.executor")
