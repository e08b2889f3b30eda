"""The dask-sql style Context: tables from pandas, Dask and Parquet, UDFs, drop, explain,
deletion sets through register_table_source, and NotSupportedError for unknown nodes."""

from __future__ import annotations

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from agentlake import Context, NotSupportedError, ProgrammingError
from agentlake.executors.dask import TableSource, register_scalar_function


@pytest.fixture(autouse=True)
def sync_scheduler():
    with dask.config.set(scheduler="sync"):
        yield


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame(
        {"id": [1, 2, 3, 4, 5], "team": ["a", "b", "a", None, "b"], "score": [10.0, 20.0, 30.0, 40.0, None]}
    )


def test_pandas_table_lazy_then_computed(people):
    ctx = Context()
    ctx.create_table("people", people)
    lazy = ctx.sql("SELECT team, count(*) AS n, sum(score) AS total FROM people GROUP BY team")
    assert isinstance(lazy, dd.DataFrame)
    got = lazy.compute().sort_values("n").reset_index(drop=True)
    rows = {(None if pd.isna(t) else t, n, None if pd.isna(s) else s) for t, n, s in got.itertuples(index=False)}
    assert rows == {("a", 2, 40.0), ("b", 2, 20.0), (None, 1, 40.0)}


def test_dask_table_with_window_and_topk(people):
    ctx = Context()
    ctx.create_table("people", dd.from_pandas(people, npartitions=2))
    got = ctx.sql(
        "SELECT id, row_number() OVER (PARTITION BY team ORDER BY id DESC) AS rn, "
        "rank() OVER (ORDER BY team) AS r FROM people WHERE team IS NOT NULL ORDER BY id LIMIT 3",
        return_futures=False,
    )
    assert got["id"].tolist() == [1, 2, 3]
    assert got["rn"].tolist() == [2, 2, 1]
    assert got["r"].tolist() == [1, 3, 1]


def test_parquet_glob_union_distinct_values(tmp_path, people):
    for i in range(2):
        pq.write_table(
            pa.Table.from_pandas(people.iloc[i * 3 : (i + 1) * 3], preserve_index=False), tmp_path / f"part{i}.parquet"
        )
    ctx = Context()
    ctx.create_table("people", str(tmp_path / "*.parquet"))
    got = ctx.sql(
        "SELECT DISTINCT team FROM people WHERE team IS NOT NULL UNION ALL SELECT x FROM (VALUES ('z')) AS v(x)",
        return_futures=False,
    )
    assert sorted(got["team"].tolist()) == ["a", "b", "z"]


def test_register_function_in_sql(people):
    ctx = Context()
    ctx.create_table("people", people)
    ctx.register_function(lambda x: x * 2 + 1, "twice_plus_one", [("x", np.float64)], np.float64)
    got = ctx.sql(
        "SELECT id, twice_plus_one(score) AS y FROM people WHERE twice_plus_one(score) > 30", return_futures=False
    )
    assert sorted(zip(got["id"], got["y"])) == [(2, 41.0), (3, 61.0), (4, 81.0)]


def test_global_scalar_function_extension_point():
    """How another layer adds a function to every Context: numpy over columns, plus a planner UDF."""
    import datafusion

    def gap(a, b):
        return np.sqrt((a - b) ** 2)

    def on_arrow(a: pa.Array, b: pa.Array) -> pa.Array:
        return pa.array(gap(a.to_numpy(), b.to_numpy()))

    planner = datafusion.udf(on_arrow, [pa.float64(), pa.float64()], pa.float64(), "immutable", "gap")
    register_scalar_function("gap", gap, planner_udf=planner)
    ctx = Context()
    ctx.create_table("points", pd.DataFrame({"x": [0.0, 3.0, -4.0], "y": [1.0, 1.0, 1.0]}))
    got = ctx.sql("SELECT x, gap(x, y) AS d FROM points ORDER BY d LIMIT 2", return_futures=False)
    assert got["x"].tolist() == [0.0, 3.0]
    assert got["d"].tolist() == [1.0, 2.0]


def test_drop_table(people):
    ctx = Context()
    ctx.create_table("people", people)
    ctx.drop_table("people")
    with pytest.raises(ProgrammingError) as info:
        ctx.sql("SELECT * FROM people")
    assert info.value.sqlstate == "42P01"


def test_explain_shows_plan_and_dask_mapping(people):
    ctx = Context()
    ctx.create_table("people", people)
    text = ctx.explain("SELECT team, max(score) FROM people GROUP BY team ORDER BY 2 DESC LIMIT 1")
    assert "Aggregate: groupBy" in text
    assert "Sort -> per-partition top-k" in text
    assert "TableScan -> " in text


def test_table_source_drops_rowid_and_deleted_rows(tmp_path):
    paths = []
    for i in range(2):
        table = pa.table(
            {
                "_rowid": pa.array([i * 10 + j for j in range(4)], pa.int64()),
                "k": pa.array([i * 4 + j for j in range(4)], pa.int64()),
                "price": pa.array([1, 2, 3, 4], pa.decimal128(10, 2)),
            }
        )
        path = str(tmp_path / f"f{i}.parquet")
        pq.write_table(table, path, row_group_size=2)
        paths.append(path)
    source = TableSource(
        files=paths,
        schema=pq.read_schema(paths[0]),
        deleted_rowids={paths[0]: np.array([1, 2]), paths[1]: np.array([13])},
    )
    ctx = Context(partition_rows=2)
    ctx.register_table_source("items", source)
    all_rows = ctx.sql("SELECT * FROM items", return_futures=False)
    assert list(all_rows.columns) == ["k", "price"]
    assert sorted(all_rows["k"].tolist()) == [0, 3, 4, 5, 6]
    total = ctx.sql("SELECT sum(price) AS s, count(*) AS n FROM items WHERE k >= 4", return_futures=False)
    assert total["s"].tolist() == [6.0] and total["n"].tolist() == [3]
    assert ctx.sql("SELECT * FROM items", return_futures=True).npartitions == 4


def test_unsupported_node_raises_0a000(people):
    ctx = Context()
    ctx.create_table("people", people)
    with pytest.raises(NotSupportedError) as info:
        ctx.sql("SELECT unnest(make_array(id, id)) FROM people")
    assert info.value.sqlstate == "0A000"
    assert "Unnest" in str(info.value) or "unnest" in str(info.value)


@pytest.mark.gpu
def test_gpu_partitions_are_cudf(people):
    ctx = Context()
    ctx.create_table("people", people, gpu=True)
    got = ctx.sql("SELECT team, sum(score) AS s FROM people GROUP BY team", gpu=True)
    assert type(got._meta).__module__.startswith("cudf")
    assert len(got.compute()) == 3
