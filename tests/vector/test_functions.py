"""The vector UDFs through a real DataFusion SessionContext over real Parquet files."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datafusion import SessionContext

from agentlake.sql.diagnostics import translate
from agentlake.vector import register_vector_functions
from agentlake.vector.arrays import vector_field

from .conftest import clustered, reference

DIM = 8
QUERY = "[" + ",".join(str(v) for v in np.linspace(-1, 1, DIM)) + "]"


@pytest.fixture(scope="module")
def table():
    x = clustered(300, DIM, 4, seed=21)
    valid = np.ones(len(x), dtype=bool)
    valid[[5, 17]] = False  # NULL embeddings
    embedding = pa.FixedSizeListArray.from_arrays(pa.array(x.reshape(-1)), DIM, mask=pa.array(~valid))
    schema = pa.schema([pa.field("id", pa.int64()), vector_field("embedding", DIM), pa.field("grp", pa.int64())])
    return pa.table([pa.array(np.arange(len(x))), embedding, pa.array(np.arange(len(x)) % 3)], schema=schema), x, valid


@pytest.fixture(scope="module")
def ctx(table, tmp_path_factory):
    path = tmp_path_factory.mktemp("vectors") / "t.parquet"
    pq.write_table(table[0], path, row_group_size=64)  # several batches per scan
    context = SessionContext()
    register_vector_functions(context)
    context.register_parquet("t", str(path))
    return context


def _rows(ctx, sql):
    return ctx.sql(sql).to_arrow_table().to_pydict()


@pytest.mark.parametrize(
    "function,metric,sign",
    [
        ("l2_distance", "l2", 1),
        ("cosine_distance", "cosine", 1),
        ("negative_inner_product", "ip", 1),
        ("inner_product", "ip", -1),
        ("l1_distance", "l1", 1),
    ],
)
def test_top5_by_distance_matches_numpy(ctx, table, function, metric, sign):
    _, x, valid = table
    q = np.array(eval(QUERY), dtype=np.float32)[None, :]
    got = _rows(
        ctx,
        f"SELECT id, {function}(embedding, to_vector('{QUERY}')) AS d FROM t "
        f"WHERE embedding IS NOT NULL ORDER BY d LIMIT 5",
    )
    want = sign * reference(q, x, metric)[0]
    want = np.where(valid, want, np.inf)
    order = np.argsort(want)[:5]
    assert got["id"] == order.tolist()
    np.testing.assert_allclose(got["d"], want[order], rtol=1e-6)


def test_vector_on_either_side_and_column_pairs(ctx, table):
    _, x, valid = table
    got = _rows(
        ctx,
        f"SELECT l2_distance(to_vector('{QUERY}'), embedding) AS a, l2_distance(embedding, to_vector('{QUERY}')) AS b,"
        " l2_distance(embedding, embedding) AS z FROM t ORDER BY id",
    )
    assert got["a"] == got["b"]
    assert [z for z, v in zip(got["z"], valid) if v] == [0.0] * int(valid.sum())


def test_nulls_in_nulls_out(ctx):
    got = _rows(
        ctx,
        f"SELECT l2_distance(embedding, to_vector('{QUERY}')) AS d, vector_dims(embedding) AS n,"
        " vector_norm(embedding) AS m, l2_normalize(embedding) AS u FROM t WHERE id IN (5, 17) ",
    )
    assert got == {"d": [None, None], "n": [None, None], "m": [None, None], "u": [None, None]}
    assert _rows(ctx, "SELECT to_vector(NULL) AS v, l2_distance(NULL, to_vector('[1]')) AS d") == {
        "v": [None],
        "d": [None],
    }


def test_dimension_mismatch_is_22000_naming_both(ctx):
    with pytest.raises(Exception) as err:
        ctx.sql("SELECT l2_distance(embedding, to_vector('[1,2,3]')) FROM t").collect()
    assert "[SQLSTATE 22000] different vector dimensions 8 and 3" in str(err.value)
    mapped = translate(err.value)
    assert mapped.sqlstate == "22000" and str(mapped).startswith("different vector dimensions 8 and 3")


def test_bad_vector_text_is_invalid_input(ctx):
    with pytest.raises(Exception, match=r"\[SQLSTATE 22P02\] invalid input syntax for type vector"):
        ctx.sql("SELECT to_vector('[1,x]')").collect()


def test_scalar_helpers(ctx, table):
    _, x, _ = table
    got = _rows(
        ctx,
        "SELECT vector_dims(embedding) AS n, vector_norm(embedding) AS m, l2_normalize(embedding) AS u,"
        " subvector(embedding, 2, 3) AS s, vector_element(embedding, 1) AS e, vector_element(embedding, 99) AS o"
        " FROM t WHERE id = 0",
    )
    assert got["n"] == [DIM] and got["o"] == [None]
    np.testing.assert_allclose(got["m"][0], np.linalg.norm(x[0].astype(np.float64)), rtol=1e-6)
    np.testing.assert_allclose(got["u"][0], x[0] / np.linalg.norm(x[0]), rtol=1e-6)
    np.testing.assert_allclose(got["s"][0], x[0, 1:4])
    assert got["e"] == [pytest.approx(float(x[0, 0]))]
    literal = _rows(
        ctx, "SELECT to_vector(' [1, 2.5,-3e0] ') AS v, l2_distance(to_vector('[0,0]'), to_vector('[3,4]')) AS d"
    )
    assert literal == {"v": [[1.0, 2.5, -3.0]], "d": [5.0]}


def test_sum_and_avg_aggregates_skip_nulls(ctx, table):
    _, x, valid = table
    got = _rows(
        ctx, "SELECT grp, vector_sum(embedding) AS s, vector_avg(embedding) AS a FROM t GROUP BY grp ORDER BY grp"
    )
    groups = np.arange(len(x)) % 3
    for g in range(3):
        rows = x[(groups == g) & valid].astype(np.float64)
        np.testing.assert_allclose(got["s"][g], rows.sum(0), rtol=1e-5)
        np.testing.assert_allclose(got["a"][g], rows.mean(0), rtol=1e-5)
    # datafusion-python cannot return a NULL list from a UDAF: no input rows give an empty vector
    assert _rows(ctx, "SELECT vector_avg(embedding) AS a FROM t WHERE id < 0") == {"a": [[]]}
