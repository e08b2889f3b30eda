"""A quoted constant beside numbers in a UNION, INTERSECT or EXCEPT column, or a VALUES list, takes
their type, as PostgreSQL 16 resolves it (``SELECT 1 UNION SELECT '2'`` is an integer column, and
``SELECT 1 UNION SELECT 'a'`` is 22P02; both had been text); text beside text stays text, and an
INSERT's VALUES still take the target column's type."""

from __future__ import annotations

import pytest

SETUP = ["CREATE TABLE tt (a text, n int)"]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1 UNION SELECT '2' ORDER BY 1",
        "SELECT 1.5 UNION ALL SELECT '2' ORDER BY 1",
        "SELECT 1::bigint AS x UNION SELECT '3' ORDER BY 1",
        "SELECT 'a', 1 UNION SELECT 'b', '2' ORDER BY 1",
        "SELECT 1 UNION SELECT NULL UNION SELECT '3' ORDER BY 1",
        "SELECT 2 INTERSECT SELECT '2'",
        "SELECT 2 EXCEPT SELECT '3'",
        "SELECT '1' UNION SELECT '2' ORDER BY 1",
        "SELECT x + 1 FROM (VALUES (1), ('2')) v(x) ORDER BY 1",
    ],
)
def test_quoted_constants_typed_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)


def test_errors_and_inserts_as_postgres(both):
    assert both.sqlstates("SELECT 1 UNION SELECT 'a'") == ("22P02", "22P02")
    both.execute("INSERT INTO tt (a) VALUES (1), ('y')")
    lake, postgres = both.answers("SELECT a FROM tt ORDER BY a")
    assert lake.rows == postgres.rows == [("1",), ("y",)]
