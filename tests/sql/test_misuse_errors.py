"""Misused SQL answered with PostgreSQL 16's SQLSTATE: a window function without OVER (42809), an
aggregate in WHERE (42803), an ORDER BY name two output columns share (42702), a number too big
for the integer type it is cast to (22003) and a date that does not exist read by to_date (22008),
each with PostgreSQL's message; text to_date or to_timestamp cannot read with its format (22007);
a column two outputs share but of the same value still sorts."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE notes (id int PRIMARY KEY, body text)",
    "INSERT INTO notes VALUES (1, 'b'), (2, 'a')",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT row_number() FROM notes",
        "SELECT id, lag(id) FROM notes",
        "SELECT max(id) FROM notes WHERE max(id) > 1",
        "SELECT id AS a, body AS a FROM notes ORDER BY a",
        "SELECT 99999999999999999999::int8",
        "SELECT to_date('2020-02-30', 'YYYY-MM-DD')",
    ],
)
def test_misuse_as_postgres(both, sql):
    lake, postgres = both.errors(sql)
    assert lake == postgres and postgres is not None


@pytest.mark.parametrize("sql", ["SELECT to_timestamp('x', 'YYYY')", "SELECT to_date('abc', 'YYYY-MM-DD')"])
def test_unreadable_dates_fail_as_in_postgres(both, sql):
    lake, postgres = both.sqlstates(sql)
    assert lake == postgres == "22007"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, id FROM notes ORDER BY id",
        "SELECT id, row_number() OVER (ORDER BY body) FROM notes ORDER BY id",
    ],
)
def test_allowed_forms_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)
