"""ORDER BY reads names as PostgreSQL does: a bare name is the output column, a name inside an
expression the input column, even when an output alias hides it; compared with PostgreSQL 16."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE t (a int, b int)",
    "INSERT INTO t VALUES (1, 5), (2, 1), (3, 3)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT -a AS a FROM t ORDER BY a + 0",
        "SELECT b AS a FROM t ORDER BY a + 0",
        "SELECT b AS a FROM t ORDER BY a",
        "SELECT a::text AS a FROM t ORDER BY a * -1",
        "SELECT -a AS a FROM t ORDER BY -a",
        "SELECT x.b AS a FROM t x ORDER BY -a",
        "SELECT b AS a, a AS b FROM t ORDER BY a, -b",
        "SELECT b AS a FROM t ORDER BY a DESC LIMIT 2",
        "SELECT a::text FROM t ORDER BY a * -1",
        "SELECT a::text, b FROM t ORDER BY a",
    ],
)
def test_order_by_names_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
