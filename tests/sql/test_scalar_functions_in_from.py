"""A scalar function as a FROM item is one row of one column, named as PostgreSQL 16 names it
(psycopg2's ``callproc`` writes ``SELECT * FROM f(...)``). Compared over the wire."""

from __future__ import annotations

import pytest

SETUP: list[str] = []


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM upper('abc')",
        "SELECT * FROM upper('abc') AS u",
        "SELECT u.* FROM lower('ABC') u",
        "SELECT * FROM length('abc') AS l(n)",
        "SELECT n AS chars FROM length('abc') AS l(n) WHERE n > 1",
        "SELECT * FROM length('abc'), upper('x')",
        "SELECT * FROM concat('a', 'b') c, generate_series(1, 2) g ORDER BY g",
    ],
)
def test_scalar_functions_in_from_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
