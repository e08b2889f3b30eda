"""Integer constants beside integer operands take PostgreSQL's types: ``abs(-3)``, ``5 & 3`` and
``1 << 2`` are integer (DataFusion read the constants as bigint), a shift keeps its operand's
width, and array calls mixing an integer array with constants (``array_append(xs, 3)``,
``ARRAY[1, 2] || 3``, ``array_remove``, ``array_replace``, ``array_fill``) give an integer[], not a
bigint[]; ``xs[1] + 1`` of an integer[] is an integer. Compared with PostgreSQL 16: names, wire
types and rows."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE nums (i int, s smallint, g bigint, xs int[], bs bigint[])",
    "INSERT INTO nums VALUES (12, 3, 40, '{1,2}', '{3}')",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT abs(-3), abs(-3000000000), 5 & 3, 5 | 3, 5 # 3, 1 << 2, 256 >> 2",
        "SELECT i & 6, i | s, s & s, g & 1, i << 1, g >> 1, s << 2, abs(i), abs(s), abs(g) FROM nums",
        "SELECT (i & 6) + 1, -(i | 1), 2147483647 & 1, 1::bigint << 40 FROM nums",
        "SELECT array_remove(ARRAY[1,2,2,3], 2), ARRAY[1,2] || 3, array_replace(ARRAY[1,2], 2, 5)",
        "SELECT array_fill(7, ARRAY[2]), array_position(ARRAY[1,2,3], 2)",
        "SELECT xs || 3, array_append(xs, 3), array_prepend(0, xs), array_cat(xs, ARRAY[9]), array_remove(xs, 1)"
        " FROM nums",
        "SELECT bs || 4, array_append(bs, 5), xs[1] + 1, xs[2] * 2, bs[1] + 1 FROM nums",
    ],
)
def test_integer_operands_typed_as_postgresql(both, sql):
    lake, postgres = both.answers(sql)
    assert lake == postgres
