"""A column computed by a pattern operator (``~``, ``~*``, ``!~``, ``^@``) or by AND / OR is named
``?column?`` as PostgreSQL 16 names it (it was named after the function sqlglot reads it as,
``regexp_like``, ``and``); the functions written out keep their names."""

from __future__ import annotations

import pytest

SETUP = ["CREATE TABLE words (w text)", "INSERT INTO words VALUES ('abc'), ('xyz')"]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 'abc' ~ 'b', 'abc' ~* 'B', 'abc' !~ 'z', 'abc' !~* 'z', 'abc' ^@ 'ab'",
        "SELECT starts_with('abc', 'ab'), regexp_like('abc', 'b'), regexp_like('abc', 'B', 'i'), power(2, 3), 2 ^ 3",
        "SELECT w, w ~ '^a' FROM words ORDER BY w",
        "SELECT 't'::bool AND NULL, true OR false, NOT true, (1 < 2) AND (2 < 3) AS both_true",
    ],
)
def test_names_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
