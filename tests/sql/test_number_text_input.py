"""Text written to integer, numeric and float columns, read as PostgreSQL 16's input functions
read it: blanks around a number, underscores between digits, 0x/0o/0b integers, a numeric rounded
to its column's scale; 22P02 with PostgreSQL's message for text that is no number, 22003 for an
integer too big for its column (the text was refused as unparsable, 22P02, blanks included)."""

from __future__ import annotations

import pytest

SETUP = ["CREATE TABLE typed_input (i int, s smallint, b bigint, n numeric(6,2), f float8, r real)"]


def test_number_text_is_read_as_postgres(both):
    for sql in (
        "INSERT INTO typed_input (i) VALUES (' 13 '), ('0x1F'), ('1_000'), ('-0b101'), ('+0o17'), ('010')",
        "INSERT INTO typed_input (b) VALUES (' 9223372036854775807 ')",
        "INSERT INTO typed_input (n) VALUES (' 1.235 '), ('-0.005'), ('1e2'), ('1_0')",
        "INSERT INTO typed_input (f, r) VALUES (' 1.5 ', ' -2e3 '), ('Infinity', '-Infinity ')",
    ):
        both.execute(sql)
    lake, postgres = both.answers("SELECT i, s, b, n, f, r FROM typed_input ORDER BY i, n, f")
    assert (lake.type_oids, lake.rows) == (postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO typed_input (i) VALUES ('abc')",
        "INSERT INTO typed_input (i) VALUES ('1.5')",
        "INSERT INTO typed_input (n) VALUES ('1.2.3')",
        "INSERT INTO typed_input (f) VALUES ('1_0')",
        "INSERT INTO typed_input (r) VALUES ('fast')",
    ],
)
def test_text_that_is_no_number_as_postgres(both, sql):
    lake, postgres = both.errors(sql)
    assert postgres is not None and lake == postgres


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO typed_input (i) VALUES ('99999999999')",
        "INSERT INTO typed_input (s) VALUES ('40000')",
        "INSERT INTO typed_input (n) VALUES ('10000')",
    ],
)
def test_numbers_too_big_for_the_column_as_postgres(both, sql):
    assert both.sqlstates(sql) == ("22003", "22003")
