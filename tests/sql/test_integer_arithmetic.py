"""Integer + - * / % as PostgreSQL computes them: in the wider operand's type (a literal that fits
is int4), with 22003 on overflow where DataFusion would wrap around; greatest, least, coalesce and
nullif in their arguments' type; to_hex of an int4 in 32 bits; sum of bigints (or their abs) a
numeric (it wrapped past the largest bigint), also beside the sum of the same int4 column; cardinality, array_ndims, array_position and ntile as int4 and
array_positions as int4[]; compared with
PostgreSQL 16."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE nums (id int PRIMARY KEY, s smallint, i int, n bigint)",
    "INSERT INTO nums VALUES (1, 32766, 2147483646, 9223372036854775806), (2, -3, -7, -11)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, s + 1, i + 1, n + 1, s * 2, i - 1, n * 1 FROM nums WHERE id = 1",
        "SELECT id, s + s, i * i, n - n, s + i, i + n, -i - 1 FROM nums WHERE id = 2",
        "SELECT sum(i + 1), max(n - 1) FROM nums",
        "SELECT sum(n), sum(abs(n)), sum(i), sum(i::int8), sum(n + 0) FROM nums",
        "SELECT id, (i + 1) * 0 AS z FROM nums ORDER BY id",
        "SELECT 1 + 10, (1 + 2) * -3 AS x, -(2 - 5), 2 * 3 - 7, 9223372036854775806 + 1, 32766::smallint + 1::smallint",
        "SELECT id, i + (2 - 3) FROM nums WHERE i <= 2147483640 + 6 AND s >= -(1 + 2) ORDER BY id",
        "SELECT id, i / 2, i % 3, s / 2, n / 2, -7 / 2, 7 % -3, i / s FROM nums ORDER BY id",
        "SELECT id, greatest(i, 0), least(i, n), coalesce(s, 1), nullif(i, -7), greatest(1, 2, 3) FROM nums ORDER BY id",
        "SELECT cardinality(ARRAY[i, s]), array_position(ARRAY[i, s], s), ntile(2) OVER (ORDER BY id) FROM nums",
        "SELECT array_positions(ARRAY[i, s, i], i), array_ndims(ARRAY[i]), array_positions(ARRAY[i], 0) FROM nums",
        "SELECT id, i / -1, s / -2, n % -1, -i, -s, -n, -(i + 1), - -i FROM nums ORDER BY id",
        "SELECT id, to_hex(i), to_hex(n), to_hex(-1), to_hex(-1::bigint), to_hex(i - 1) FROM nums ORDER BY id",
        "SELECT sum(n), sum(DISTINCT n), sum(i), sum(s), sum(n) FILTER (WHERE id = 1) FROM nums",
        "SELECT sum(n) FROM nums, generate_series(1, 3) WHERE id = 1",  # past the largest bigint
        "SELECT id, sum(n) OVER (ORDER BY id), sum(n + 1) OVER () FROM nums ORDER BY id",
    ],
)
def test_integer_results_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT n + 2 FROM nums WHERE id = 1",
        "SELECT i + 2 FROM nums WHERE id = 1",
        "SELECT s + s FROM nums WHERE id = 1",
        "SELECT i * 3 FROM nums WHERE id = 1",
        "SELECT -n - 3 FROM nums WHERE id = 1",
        "UPDATE nums SET n = n + 2 WHERE id = 1",
        "SELECT 2147483647 + 1",
        "SELECT 9223372036854775807 + 1",
        "SELECT 32767::smallint + 1::smallint",
        "SELECT CAST(3000000000 AS int) - 2000000000",
        "SELECT id FROM nums WHERE i < 2147483647 * 2",
        "SELECT (-2147483648)::int4 / -1",
        "SELECT -i FROM (SELECT (-2147483648)::int AS i) t",
        "SELECT -s FROM (SELECT (-32768)::smallint AS s) t",
        "UPDATE nums SET i = -(i - 2147483646) - 2147483647 - 1 WHERE id = 1 RETURNING i / -1",
    ],
)
def test_overflow_is_22003_as_postgres(both, sql):
    assert both.sqlstates(sql) == ("22003", "22003")
    lake, postgres = both.answers("SELECT n FROM nums ORDER BY id")
    assert lake.rows == postgres.rows  # nothing was written


def test_bitwise_xor_and_not_as_postgres(both):
    """``#`` and ``~`` (DataFusion's parser had no ``#``, its planner no ``~`` of a number)."""
    lake, postgres = both.answers("SELECT id, i # 3, n # i, ~i, ~n, ~s, 12 # 10 # 6, ~0 FROM nums ORDER BY id")
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)
