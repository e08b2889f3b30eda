"""Columns of derived tables keep their PostgreSQL types for the rewrites that depend on a type:
``avg`` of an integer read through a subquery, a CTE, a VALUES list, ``unnest`` or
``generate_series`` is numeric (it was a float8 when the column's type was known only for tables),
a decimal constant in a subquery rounds as a numeric on a cast to int, integer arithmetic in
a subquery stays integer for the average above it, and a VALUES column of mixed integer widths is
the widest (sum of an int8 one is numeric: it wrapped around past int8's range)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE visits (id int PRIMARY KEY, agent text, steps int, tokens bigint, cost numeric(10,2), score real)",
    "INSERT INTO visits VALUES (1, 'a', 1, 10, 2.50, 1.5), (2, 'a', 2, 20, 3.75, 2.5), (3, 'b', 2, 40, 0.01, 3)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT avg(x) FROM (SELECT steps AS x FROM visits) s",
        "WITH s AS (SELECT tokens AS x FROM visits) SELECT avg(x), sum(x) FROM s",
        "WITH s(y) AS (SELECT steps FROM visits) SELECT avg(s.y) FROM s",
        "SELECT avg(x) FROM (VALUES (5), (6)) t(x)",
        "SELECT avg(x) FROM (VALUES (5::int), (6), (NULL)) t(x)",
        "SELECT sum(x) FROM (VALUES (9223372036854775807::int8), (1)) t(x)",
        "SELECT avg(x), sum(x) FROM (VALUES (1), (2.5)) t(x)",
        "SELECT avg(x) FROM unnest(ARRAY[1, 2, 2]) x",
        "SELECT avg(n) FROM generate_series(1, 4) n",
        "SELECT avg(v) FROM generate_series(1, 5) AS g(v)",
        "SELECT avg(v) FROM (SELECT unnest(ARRAY[1, 2]) AS v) s",
        "SELECT sum(n), avg(n), max(n) FROM (SELECT id * 2 AS n FROM visits) s",
        "SELECT avg(length(agent)) FROM visits",
        "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 4) SELECT avg(n), sum(n) FROM t",
        "SELECT stddev(v), variance(v) FROM unnest(ARRAY[1, 2, 4]) v",
        "SELECT x::int FROM (SELECT 2.5 AS x) u",
        "SELECT x::int, round(x) FROM (SELECT 2.5::float8 AS x) u",
        "SELECT x::text, x + 1 FROM (VALUES (1.5), (2.25)) v(x) ORDER BY 1",
        "SELECT cost::int, round(cost), cost / 3, avg(cost) OVER () FROM (SELECT cost FROM visits) s ORDER BY 1",
        "SELECT score::int, round(score), sum(score) OVER () FROM (SELECT score FROM visits) s ORDER BY 1",
        "SELECT agent, avg(steps) FROM (SELECT agent, steps FROM visits) s GROUP BY agent ORDER BY agent",
    ],
)
def test_derived_columns_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
