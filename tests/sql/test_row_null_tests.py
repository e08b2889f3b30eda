"""``row IS NULL`` is true when every field is NULL, ``row IS NOT NULL`` when none is, so a row
with some NULL fields is neither, as PostgreSQL 16 answers (agentlake had answered IS NOT NULL as
the negation of IS NULL)."""

from __future__ import annotations

SETUP = [
    "CREATE TABLE p (id int PRIMARY KEY, a int, b text)",
    "INSERT INTO p VALUES (1, 1, 'x'), (2, NULL, 'y'), (3, NULL, NULL)",
]


def test_row_null_tests_as_postgres(both):
    sql = (
        "SELECT id, (a, b) IS NULL, (a, b) IS NOT NULL, ROW(a, b) IS NULL, NOT ((a, b) IS NULL),"
        " (NULL, NULL) IS NULL FROM p ORDER BY id"
    )
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)
    assert [row[1:3] for row in lake.rows] == [(False, True), (False, False), (True, False)]


def test_rows_filtered_by_their_null_test(both):
    lake, postgres = both.answers("SELECT id FROM p WHERE (a, b) IS NOT NULL OR (a, b) IS NULL ORDER BY id")
    assert lake.rows == postgres.rows == [(1,), (3,)]
