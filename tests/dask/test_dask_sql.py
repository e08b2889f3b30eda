"""Plan nodes and expressions beyond TPC-H, each compared with DataFusion on the same data
(with NULLs, several partitions, a date and a decimal column)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import dask
import datafusion
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dask_compare import assert_same_rows

from agentlake import Context
from agentlake.errors import DataError

ITEMS = pa.table(
    {
        "id": pa.array(range(1, 13), pa.int64()),
        "grp": pa.array(["a", "b", "a", None, "c", "b", "a", "c", "b", None, "a", "c"]),
        "qty": pa.array([5, 3, None, 8, 1, 9, 2, 7, None, 4, 6, 10], pa.int64()),
        "price": pa.array([Decimal(f"{i}.25") for i in range(12)], pa.decimal128(12, 2)),
        "day": pa.array([dt.date(2024, 1 + i % 12, 1 + i) for i in range(12)], pa.date32()),
        "name": pa.array(
            ["Apple", "banana", "Cherry_1", "date", None, "fig%", "grape", "kiwi", "Lemon", "mango", "nut", "olive"]
        ),
        "ok": pa.array([True, False, None, True, None, False, True, True, None, False, True, False]),
    }
)
TAGS = pa.table(
    {
        "grp": pa.array(["a", "b", "d", None]),
        "label": pa.array(["alpha", "beta", "delta", "none"]),
        "cap": pa.array([6, 5, 1, 0], pa.int64()),
    }
)

QUERIES = {
    "arith_cast": "SELECT id, qty * 2 + 1 AS a, qty / 2 AS b, qty % 3 AS c, -qty AS d, CAST(qty AS DOUBLE) / 4 AS e, "
    "CAST(id AS VARCHAR) AS f, price * 2 AS g FROM items",
    "case_between_in": "SELECT id, CASE WHEN qty > 5 THEN 'big' WHEN qty IS NULL THEN 'none' ELSE 'small' END AS k, "
    "CASE grp WHEN 'a' THEN 1 ELSE 0 END AS isa, qty BETWEEN 2 AND 6 AS btw, "
    "id IN (1, 3, 5) AS inl, id NOT IN (2, 4) AS notin FROM items",
    "like_ilike": "SELECT id FROM items WHERE name LIKE '%an%' OR name ILIKE 'c%' OR name LIKE 'fig\\%' ESCAPE '\\' "
    "OR name NOT LIKE '%e%'",
    "null_logic": "SELECT id, qty IS NULL AS n, grp IS NOT NULL AS g, NOT (qty > 4) AS notbig, "
    "coalesce(qty, 0) AS q0, nullif(qty, 5) AS nq FROM items",
    "string_functions": "SELECT id, upper(name) AS u, lower(name) AS l, length(name) AS n, substr(name, 2, 3) AS s, "
    "name || '!' AS bang, trim('  x  ') AS t, concat(grp, '-', name) AS c FROM items",
    "date_functions": "SELECT id, extract(year FROM day) AS y, date_part('month', day) AS m, "
    "day + INTERVAL '10 days' AS later FROM items WHERE day >= DATE '2024-03-01'",
    "math_functions": "SELECT id, abs(-qty) AS a, round(CAST(price AS DOUBLE) / 3, 2) AS r, floor(qty / 3.0) AS f, "
    "ceil(qty / 3.0) AS c, sqrt(CAST(id AS DOUBLE)) AS s FROM items",
    "group_having": "SELECT grp, count(*) AS n, count(qty) AS nq, sum(qty) AS s, avg(qty) AS a, min(name) AS mn, "
    "max(day) AS mx, sum(price) AS sp FROM items GROUP BY grp HAVING count(*) > 1",
    "global_empty": "SELECT count(*) AS n, sum(qty) AS s, max(qty) AS m FROM items WHERE id > 100",
    "no_columns_read": "SELECT count(*) AS n, sum(1) AS s FROM items",
    "case_guards_its_arms": "SELECT id, CASE WHEN qty = 5 THEN -1 WHEN 10 / (qty - 5) > 1 THEN id / (qty - 5) "
    "ELSE qty END AS r FROM items",
    "boolean_nulls": "SELECT id, NOT ok AS n, ok IS NOT TRUE AS nt, ok IS FALSE AS f FROM items WHERE NOT ok OR ok IS NULL",
    "not_in_with_null": "SELECT id FROM items WHERE qty NOT IN (SELECT qty FROM items WHERE id < 4)",
    "not_in_without_null": "SELECT id FROM items WHERE qty NOT IN (SELECT cap FROM tags WHERE cap IS NOT NULL)",
    "not_in_empty": "SELECT id FROM items WHERE qty NOT IN (SELECT cap FROM tags WHERE cap > 100)",
    "date_difference": "SELECT id, day - DATE '2024-01-01' AS d, max(day) OVER () - day AS left_days FROM items",
    "constant_per_row": "SELECT 1 AS one FROM items",
    "count_distinct": "SELECT grp, count(DISTINCT qty % 3) AS d FROM items GROUP BY grp",
    "two_distinct": "SELECT count(DISTINCT grp) AS g, count(DISTINCT qty) AS q, sum(qty) AS s FROM items",
    "inner_join_filter": "SELECT i.id, t.label FROM items i JOIN tags t ON i.grp = t.grp AND i.qty > t.cap",
    "left_join": "SELECT i.id, t.label FROM items i LEFT JOIN tags t ON i.grp = t.grp",
    "left_join_filter": "SELECT i.id, t.label FROM items i LEFT JOIN tags t ON i.grp = t.grp AND i.qty > t.cap",
    "right_join": "SELECT i.id, t.label FROM items i RIGHT JOIN tags t ON i.grp = t.grp",
    "full_join": "SELECT i.id, t.label FROM items i FULL JOIN tags t ON i.grp = t.grp",
    "full_join_filter": "SELECT i.id, t.label FROM items i FULL JOIN tags t ON i.grp = t.grp AND i.qty > t.cap",
    "semi_anti": "SELECT id FROM items i WHERE EXISTS (SELECT 1 FROM tags t WHERE t.grp = i.grp) "
    "AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.grp = i.grp AND t.cap > i.qty)",
    "in_subquery": "SELECT id FROM items WHERE grp IN (SELECT grp FROM tags WHERE cap > 2)",
    "scalar_subquery": "SELECT id, qty - (SELECT avg(qty) FROM items) AS dev FROM items "
    "WHERE qty > (SELECT min(cap) FROM tags WHERE cap > 0)",
    "cross_join": "SELECT i.id, t.label FROM items i CROSS JOIN tags t WHERE i.id < 3",
    "union_distinct": "SELECT grp FROM items UNION SELECT grp FROM tags",
    "union_all_values": "SELECT grp, 1 AS src FROM items UNION ALL "
    "SELECT * FROM (VALUES ('z', 2), ('y', 3)) AS v(g, s)",
    "topk_nulls": "SELECT id, qty FROM items ORDER BY qty DESC NULLS LAST, id LIMIT 4",
    "sort_nulls_first": "SELECT id, qty FROM items ORDER BY qty ASC NULLS FIRST, id DESC",
    "sort_desc_default_nulls": "SELECT grp, id FROM items ORDER BY grp DESC, id",
    "sort_by_expression": "SELECT id, qty FROM items ORDER BY qty % 4, id DESC",
    "limit_offset": "SELECT id FROM items ORDER BY id LIMIT 3 OFFSET 4",
    "windows": "SELECT id, row_number() OVER (PARTITION BY grp ORDER BY qty DESC, id) AS rn, "
    "rank() OVER (PARTITION BY grp ORDER BY qty) AS rk, "
    "dense_rank() OVER (PARTITION BY grp ORDER BY qty) AS dr, "
    "sum(qty) OVER (PARTITION BY grp) AS tot, avg(qty) OVER (PARTITION BY grp) AS av FROM items",
    "rank_with_null_peers": "SELECT id, rank() OVER (ORDER BY qty) AS r, "
    "dense_rank() OVER (PARTITION BY grp ORDER BY qty % 3) AS d FROM items",
    "running_window": "SELECT id, sum(qty) OVER (ORDER BY id) AS run, "
    "count(qty) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS c, "
    "max(qty) OVER (ORDER BY grp) AS mx FROM items",
    "where_false": "SELECT id FROM items WHERE 1 = 0",
    "constant": "SELECT 1 + 2 AS three, 'x' AS s",
    "cte_distinct": "WITH g AS (SELECT DISTINCT grp FROM items WHERE grp IS NOT NULL) SELECT count(*) AS n FROM g",
}


@pytest.fixture(scope="module")
def contexts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("items")
    pq.write_table(ITEMS, folder / "items.parquet", row_group_size=3)
    ctx = Context(partition_rows=3)
    ctx.create_table("items", str(folder / "items.parquet"))
    ctx.create_table("tags", TAGS.to_pandas())
    oracle = datafusion.SessionContext()
    oracle.register_record_batches("items", [ITEMS.to_batches()])
    oracle.register_record_batches("tags", [TAGS.to_batches()])
    return ctx, oracle


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_matches_datafusion(name, contexts):
    ctx, oracle = contexts
    query = QUERIES[name]
    with dask.config.set(scheduler="sync"):
        got = ctx.sql(query, return_futures=False)
    expected = oracle.sql(query).to_arrow_table()
    assert list(got.columns) == expected.schema.names
    assert_same_rows(got, expected, ordered="ORDER BY" in query and "OVER" not in query)


def test_pruned_row_groups_are_never_read(contexts):
    ctx, _ = contexts
    assert ctx.sql("SELECT id FROM items").npartitions == 4
    assert ctx.sql("SELECT id FROM items WHERE id > 10").npartitions == 1


@pytest.mark.parametrize("query", ["SELECT qty / (qty - 5) AS r FROM items", "SELECT price / (id - 3) AS r FROM items"])
def test_integer_and_numeric_division_by_zero_is_22012(contexts, query):
    """As DataFusion (and PostgreSQL) answer it; a float divisor gives infinity on both executors."""
    ctx, oracle = contexts
    with pytest.raises(Exception, match="(?i)divi(de|sion) by zero"):
        oracle.sql(query).to_arrow_table()
    with dask.config.set(scheduler="sync"), pytest.raises(DataError) as err:
        ctx.sql(query, return_futures=False)
    assert err.value.sqlstate == "22012"


def test_a_scalar_subquery_of_two_rows_is_21000(contexts):
    ctx, _ = contexts
    with dask.config.set(scheduler="sync"), pytest.raises(DataError) as err:
        ctx.sql("SELECT id, (SELECT cap FROM tags WHERE cap > 2) AS c FROM items", return_futures=False)
    assert err.value.sqlstate == "21000"
