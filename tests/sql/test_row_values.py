"""Row values a query returns, ``ROW(...)`` and ``(a, b)``, as PostgreSQL 16 sends them: an
anonymous record (2249) named "row", in record_out's text (a NULL field empty, a field quoted when
empty or holding a space, quote, backslash, parenthesis or comma), which psycopg reads as a tuple
of strings; they were text of a Python dict."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE people (id int PRIMARY KEY, name text, score float8, joined date)",
    "INSERT INTO people VALUES (1, 'ann', 1.5, '2024-01-02'), (2, 'b c', NULL, NULL), (3, 'say \"hi\", (x)', 2, NULL)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT ROW(1, 'a')",
        "SELECT (1, 'a', NULL)",
        "SELECT ROW(id, name, score, joined) FROM people ORDER BY id",
        "SELECT ROW(1, ''), ROW('a\\b', true, 1.50)",
        "SELECT (1, ROW(2, 'x y'))",
        "SELECT ROW(1, 'a') = ROW(1, 'a'), count(*) FILTER (WHERE (id, name) = (1, 'ann')) FROM people",
    ],
)
def test_row_values_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
