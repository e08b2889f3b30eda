"""Averages of integers and numerics, and quotients of numerics, as PostgreSQL 16 returns them:
numeric, at the digits its division keeps (``avg`` of 1, 2 and 4 is 2.3333333333333333, not a
float8's 2.3333333333333335; ``2.50 / 3`` is 0.83333333333333333333, not 0.833333), through
GROUP BY, FILTER, DISTINCT, windows and ORDER BY on the average; variances and standard
deviations of integers and numerics, numeric from exact sums as PostgreSQL's (DataFusion's floats
differed in the last digits); and 22012 for a zero divisor."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE scores (id int PRIMARY KEY, agent text, points int, weight bigint, small smallint,"
    " price numeric(10,2))",
    "INSERT INTO scores VALUES (1, 'a', 1, 10, 1, 2.50), (2, 'a', 2, 20, 2, 10.00), (3, 'a', 4, 40, 2, 0.01),"
    " (4, 'b', 7, 70, 3, 1.00), (5, 'b', 7, 70, 3, NULL), (6, 'c', NULL, NULL, NULL, NULL)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT avg(points), avg(weight), avg(small), avg(price) FROM scores",
        "SELECT agent, avg(points) AS mean FROM scores GROUP BY agent ORDER BY mean DESC NULLS LAST, agent",
        "SELECT avg(DISTINCT points), avg(points) FILTER (WHERE points > 1) FROM scores",
        "SELECT id, avg(points) OVER (PARTITION BY agent) FROM scores ORDER BY id",
        "SELECT id, price / 3, price / points, points / 4, price / 0.7 FROM scores ORDER BY id",
        "SELECT avg(points) FROM scores WHERE agent = 'c'",
        "SELECT avg(points)::numeric(10,3), round(avg(points), 2) FROM scores",
        "SELECT var_samp(points), var_pop(points), variance(weight), stddev(points), stddev_samp(small),"
        " stddev_pop(points) FROM scores",
        "SELECT var_samp(price), stddev(price), stddev_pop(price) FROM scores",
        "SELECT agent, var_samp(points), stddev(price) FROM scores GROUP BY agent ORDER BY agent",
        "SELECT var_samp(points) FILTER (WHERE points > 1), stddev_pop(points) FILTER (WHERE agent = 'a') FROM scores",
        "SELECT id, stddev(points) OVER (PARTITION BY agent) FROM scores ORDER BY id",
        "SELECT var_samp(points), stddev(points), var_pop(points) FROM scores WHERE id = 1",
    ],
)
def test_numeric_quotients_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def test_division_of_numerics_by_zero(both):
    assert both.sqlstates("SELECT price / (points - points) FROM scores") == ("22012", "22012")
