"""Set-returning functions in a select list give a row per element, as in PostgreSQL 16
(``SELECT generate_series(1, 3)`` is three rows, not one row holding a list). Compared over the
wire with PostgreSQL's answers: names, wire types, rows."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE docs (id int PRIMARY KEY, n int, doc jsonb)",
    "INSERT INTO docs VALUES (1, 2, '[1, \"a\", {\"b\": 2}]'), (2, 0, '[]'), (3, 3, '[true]')",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT generate_series(1, 3)",
        "SELECT generate_series(1, 10, 3) * 2 AS doubled",
        "SELECT generate_series(1, 3), generate_series(1, 2)",
        "SELECT generate_series(3000000000, 3000000001)",
        "SELECT id, generate_series(1, n) FROM docs ORDER BY 1, 2",
        "SELECT count(*) FROM (SELECT generate_series(1, 5)) s",
        "SELECT id FROM docs WHERE id IN (SELECT generate_series(2, 4)) ORDER BY id",
        "SELECT id, jsonb_array_elements(doc) FROM docs ORDER BY id, 2::text",
        "SELECT id, jsonb_array_elements_text(doc) FROM docs ORDER BY id, 2",
    ],
)
def test_select_list_set_returning_calls_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
