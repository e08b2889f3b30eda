"""Tensor and media columns through ``Context.sql`` (the Dask executor), answered as ``db.execute``
answers on the same repository: the same Arrow types (tensor extension types stay Arrow-backed in
pandas and come back from it unchanged), the same arrays exactly (dtype, shape, values), NULLs,
ragged rows and several partitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import agentlake
from agentlake import Context
from agentlake.tensors import to_ndarrays, to_numpy
from tests.multimodal.conftest import jpeg_bytes, png_bytes


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("tensors") / "repo")
    db = agentlake.connect(path)
    db.execute("CREATE TABLE t (id int, x tensor(float32, 2, 3), v tensor(int16, 0, 3), r tensor(uint8))")
    for i in range(7):  # one file per INSERT: several partitions at any partition size
        db.execute(
            "INSERT INTO t VALUES (%s, %s, %s, %s)",
            (
                i,
                np.arange(6, dtype=np.float32).reshape(2, 3) * i - 2.5,
                np.arange(3 * (i % 3 + 1), dtype=np.int16).reshape(-1, 3) - 4,
                np.arange(i + 1, dtype=np.uint8).reshape((1, -1) if i % 2 else (-1,)),  # ranks differ
            ),
        )
    db.execute("INSERT INTO t VALUES (7, NULL, NULL, NULL)")
    db.execute("CREATE TABLE pics (id int, img image)")
    big, small = jpeg_bytes(600, 400, 1), png_bytes(np.zeros((8, 16), np.uint8))  # a blob and an inline value
    db.execute("INSERT INTO pics VALUES (1, %s), (2, %s), (3, NULL)", (big, small))
    db.close()
    return path


@pytest.fixture(scope="module")
def ctx(repo) -> Context:
    return Context(repo, partition_rows=2)


def assert_same_answer(got: pd.DataFrame, want: pa.Table) -> None:
    """Column by column: the same Arrow type, and each row's value equal, tensors as numpy arrays of
    the same dtype and shape."""
    table = pa.Table.from_pandas(got, preserve_index=False)
    assert table.column_names == want.column_names
    for name in want.column_names:
        mine, theirs = table.column(name), want.column(name)
        if isinstance(theirs.type, pa.BaseExtensionType) or pa.types.is_struct(theirs.type):
            assert mine.type == theirs.type or mine.type.storage_type == theirs.type.storage_type, name
            for a, b in zip(to_ndarrays(mine), to_ndarrays(theirs), strict=True):
                assert (a is None) == (b is None), name
                if a is not None:
                    assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b), name
        else:
            values = [None if v != v else v for v in mine.to_pylist()]  # an integer with NULLs reads as float
            assert values == theirs.to_pylist(), name


STORED = "SELECT id, x, v, r FROM t ORDER BY id"


def test_stored_tensor_columns_stay_arrow_backed(ctx, engine):
    frame = ctx.sql(STORED)
    assert frame.npartitions > 1
    got = frame.compute()
    assert all(isinstance(got[c].dtype, pd.ArrowDtype) for c in "xvr")
    assert isinstance(got["x"].dtype.pyarrow_dtype, pa.FixedShapeTensorType)
    assert got["v"].dtype.pyarrow_dtype.extension_name == "arrow.variable_shape_tensor"
    assert_same_answer(got, engine.execute(STORED).fetch_arrow())
    block = to_numpy(pa.Table.from_pandas(got.dropna(), preserve_index=False).column("x"))
    assert block.shape == (7, 2, 3) and block.dtype == np.float32 and block.base is not None  # no copy


QUERIES = [
    "SELECT id, shape(x) AS sx, ndim(v) AS nv, dtype(r) AS dr, shape(r) AS sr FROM t",
    "SELECT id, tensor_sum(x) AS a, tensor_mean(v) AS b, tensor_max(r) AS c, tensor_min(x) AS d FROM t",
    "SELECT id, tensor_sum(x, 0) AS a, tensor_mean(v, 1) AS b, tensor_max(x, -1) AS c, tensor_min(v, 0) AS d FROM t",
    "SELECT id, x[2][3] AS a, x[1] AS b, x[1:2][2:3] AS c, v[1] AS d, x[5][1] AS e FROM t",
    "SELECT id, x * 2 + x AS a, x - x AS b, v / 2 AS c, x + '[1,2,3]'::tensor(float32) AS d, v * v AS e FROM t",
    "SELECT id, x::tensor(float64) AS a, x::real[] AS b, x::vector AS c, x::tensor(int32, 2, 3) AS d FROM t",
    "SELECT id, '[1,2,3]'::vector::tensor(float32, 3) AS a, '[[1,2],[3,4]]'::tensor(int8) AS b FROM t",
    "SELECT id, tensor_sum(x) AS s FROM t WHERE tensor_max(x) > 4 AND ndim(r) = 1",
]


@pytest.mark.parametrize("sql", QUERIES)
def test_tensor_functions_answer_as_the_engine(ctx, engine, sql):
    ordered = f"{sql} ORDER BY id"
    assert_same_answer(ctx.sql(ordered).compute(), engine.execute(ordered).fetch_arrow())


def test_lazy_frame_types_computed_tensors_before_running(ctx):
    frame = ctx.sql("SELECT id, x + x AS a, tensor_sum(v, 1) AS b FROM t")
    assert frame.dtypes["a"].pyarrow_dtype.extension_name == "arrow.variable_shape_tensor"
    assert frame.dtypes["a"].pyarrow_dtype.storage_type.field("data").type.value_type == pa.float32()
    assert frame.dtypes["b"].pyarrow_dtype.storage_type.field("shape").type.list_size == 1
    assert list(frame.compute().dtypes) == list(frame.dtypes)


def test_tensor_computed_from_a_rank_free_column(ctx, engine):
    sql = "SELECT id, r + 1 AS a, r[1:2] AS b FROM t ORDER BY id"
    with pytest.raises(agentlake.NotSupportedError) as err:  # its rank is known only from its rows
        ctx.sql(sql)
    assert err.value.sqlstate == "0A000"
    assert_same_answer(ctx.sql(sql, return_futures=False), engine.execute(sql).fetch_arrow())


def test_tensor_errors_keep_their_sqlstate(ctx, engine):
    for sql, state in [("SELECT tensor_sum(x, 5) FROM t", "22023"), ("SELECT x + v FROM t", "22000")]:
        with pytest.raises(agentlake.DataError) as local:
            engine.execute(sql).fetchall()
        with pytest.raises(agentlake.DataError) as dask:  # met when it runs (lazily: 0A000, its type unknown)
            ctx.sql(sql, return_futures=False)
        assert local.value.sqlstate == dask.value.sqlstate == state


MEDIA = [
    "SELECT id, img, width(img) AS w, height(img) AS h, channels(img) AS c, media_format(img) AS f FROM pics",
    "SELECT id, shape(image_decode(img)) AS s, tensor_sum(image_resize(img, 4, 2)) AS total FROM pics",
    "SELECT id FROM pics WHERE width(img) > 512",
]


@pytest.mark.parametrize("sql", MEDIA)
def test_media_columns_answer_as_the_engine(ctx, engine, sql):
    ordered = f"{sql} ORDER BY id"
    got = ctx.sql(ordered).compute()
    assert_same_answer(got, engine.execute(ordered).fetch_arrow())


def test_decoded_media_as_tensors(ctx, engine):
    sql = "SELECT id, image_resize(img, 4, 2) AS t FROM pics ORDER BY id"
    with pytest.raises(agentlake.NotSupportedError):  # a decoded image's type is known from its bytes only
        ctx.sql(sql)
    assert_same_answer(ctx.sql(sql, return_futures=False), engine.execute(sql).fetch_arrow())


def test_engine_dask_route_answers_tensor_queries(engine):
    sql = "SELECT id, x, r, x + x AS y, tensor_sum(v) AS s, width(img) AS w FROM t JOIN pics USING (id) ORDER BY id"
    want = engine.execute(sql).fetch_arrow()
    engine.execute("SET agentlake.executor = 'dask'")
    try:
        got = engine.execute(sql).fetch_arrow()
        route = engine.execute(f"EXPLAIN {sql}").fetchall()
    finally:
        engine.execute("RESET agentlake.executor")
    assert "dask" in str(route).lower()
    assert got.schema.types == want.schema.types
    for name in want.column_names:
        assert (
            [None if a is None else a.tolist() for a in to_ndarrays(got.column(name))]
            == [None if b is None else b.tolist() for b in to_ndarrays(want.column(name))]
            if name in ("x", "r", "y")
            else got.column(name).to_pylist() == want.column(name).to_pylist()
        )
