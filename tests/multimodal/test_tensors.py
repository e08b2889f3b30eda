"""Tensor columns through SQL and the Python API: storage as Arrow's tensor extension types,
numpy in and out, the SQL functions, casts and their errors."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import agentlake
from agentlake.tensors import to_numpy, to_torch


@pytest.fixture
def tensors(db):
    db.execute("CREATE TABLE t (id int PRIMARY KEY, a tensor(float32, 2, 3), b tensor(uint8, 0, 0), c tensor(int64))")
    db.execute("INSERT INTO t VALUES (1, '[[1,2,3],[4,5,6]]', '{{1,2},{3,4}}', '[1,2,3]')")
    db.execute(
        "INSERT INTO t VALUES (%s, %s, %s, %s)",
        (
            2,
            np.full((2, 3), 0.5, np.float32),
            np.arange(3, dtype=np.uint8).reshape(1, 3),
            np.arange(8).reshape(2, 2, 2),
        ),
    )
    return db


def test_stored_as_arrow_tensor_extension_types(tensors):
    table = tensors.execute("SELECT a, b, c FROM t ORDER BY id").fetch_arrow()
    assert isinstance(table.schema.field("a").type, pa.FixedShapeTensorType)
    assert table.schema.field("b").type.extension_name == "arrow.variable_shape_tensor"
    assert table.schema.field("c").metadata[b"agentlake.type"] == b"tensor"  # rank-free: tagged struct
    block = to_numpy(table.column("a"))
    assert block.shape == (2, 2, 3) and block.dtype == np.float32
    assert block.base is not None  # a view of Arrow's buffer, not a copy
    assert np.array_equal(block[0], [[1, 2, 3], [4, 5, 6]])


def test_rows_read_back_exactly_as_numpy(tensors):
    rows = tensors.execute("SELECT a, b, c FROM t ORDER BY id").fetchall()
    a, b, c = rows[1]
    assert a.dtype == np.float32 and np.array_equal(a, np.full((2, 3), 0.5))
    assert b.dtype == np.uint8 and np.array_equal(b, [[0, 1, 2]])
    assert c.dtype == np.int64 and np.array_equal(c, np.arange(8).reshape(2, 2, 2))
    assert np.array_equal(rows[0][1], [[1, 2], [3, 4]])


def test_torch_through_dlpack(tensors):
    torch = pytest.importorskip("torch")
    out = to_torch(tensors.execute("SELECT a FROM t ORDER BY id").fetch_arrow().column("a"))
    assert isinstance(out, torch.Tensor) and tuple(out.shape) == (2, 2, 3)


def test_inspection_reductions_subscripts(tensors):
    q = tensors.execute
    assert q("SELECT shape(a), ndim(b), dtype(c) FROM t ORDER BY id").fetchall() == [
        ([2, 3], 2, "int64"),
        ([2, 3], 2, "int64"),
    ]
    assert q("SELECT tensor_sum(a), tensor_max(a), tensor_mean(c) FROM t WHERE id = 1").fetchall() == [(21.0, 6.0, 2.0)]
    (along,) = q("SELECT tensor_sum(a, 0) FROM t WHERE id = 1").fetchone()
    assert np.array_equal(along, [5, 7, 9])
    item, row, rows = q("SELECT a[2][3], a[1], a[1:1] FROM t WHERE id = 1").fetchone()
    assert item == 6.0 and np.array_equal(row, [1, 2, 3]) and rows.shape == (1, 3)
    assert q("SELECT a[5][1] FROM t WHERE id = 1").fetchone() == (None,)  # out of range: NULL, as arrays


def test_elementwise_arithmetic_keeps_dtype(tensors):
    (out,) = tensors.execute("SELECT a * 2 + a FROM t WHERE id = 1").fetchone()
    assert out.dtype == np.float32 and np.array_equal(out, np.arange(1, 7).reshape(2, 3) * 3)
    (diff,) = tensors.execute("SELECT a - a FROM t WHERE id = 2").fetchone()
    assert not diff.any()
    with pytest.raises(agentlake.DataError) as err:
        tensors.execute("SELECT a + c FROM t WHERE id = 2").fetchall()
    assert err.value.sqlstate == "22000"


def test_casts_between_vector_arrays_and_tensors(tensors):
    q = tensors.execute
    assert q("SELECT c::vector FROM t WHERE id = 1").fetchone()[0].tolist() == [1.0, 2.0, 3.0]
    assert list(q("SELECT a::real[] FROM t WHERE id = 1").fetchone()[0]) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    (back,) = q("SELECT '[1,2,3,4]'::vector::tensor(float32, 2, 2)").fetchone()
    assert back.shape == (2, 2) and back.dtype == np.float32
    (arr,) = q("SELECT ARRAY[1, 2, 3]::tensor(uint8)").fetchone()
    assert arr.dtype == np.uint8


def test_shape_and_syntax_errors(tensors):
    with pytest.raises(agentlake.DataError) as err:
        tensors.execute("INSERT INTO t VALUES (3, '[1,2,3]', NULL, NULL)")
    assert err.value.sqlstate == "22000"
    with pytest.raises(agentlake.DataError) as err:
        tensors.execute("INSERT INTO t VALUES (3, '[[1,2,3],[4,5', NULL, NULL)")
    assert err.value.sqlstate == "22P02"
    with pytest.raises(agentlake.ProgrammingError) as err:
        tensors.execute("CREATE TABLE bad (x tensor(complex64))")
    assert err.value.sqlstate == "42704"


def test_load_arrow_keeps_extension_type_and_nulls(db):
    images = np.random.default_rng(1).integers(0, 255, (4, 3, 8, 8), dtype=np.uint8)
    column = pa.FixedShapeTensorArray.from_numpy_ndarray(images)
    db.load_arrow("frames", pa.table({"id": pa.array(range(4), pa.int32()), "x": column}), create=True)
    db.execute("INSERT INTO frames VALUES (9, NULL)")
    table = db.execute("SELECT x FROM frames ORDER BY id").fetch_arrow()
    assert table.schema.field("x").type == column.type
    assert table.column("x").null_count == 1
    assert np.array_equal(to_numpy(table.column("x").slice(0, 4)), images)
    assert db.execute("SELECT count(*) FROM frames WHERE tensor_max(x) >= 0").fetchone() == (4,)


def test_update_branch_merge_of_tensor_rows(tensors):
    tensors.branch("exp")
    tensors.checkout("exp")
    tensors.execute("UPDATE t SET a = a * 10 WHERE id = 1")
    tensors.checkout("main")
    assert tensors.execute("SELECT tensor_sum(a) FROM t WHERE id = 1").fetchone() == (21.0,)
    tensors.merge(into="main", source="exp")
    assert tensors.execute("SELECT tensor_sum(a) FROM t WHERE id = 1").fetchone() == (210.0,)
