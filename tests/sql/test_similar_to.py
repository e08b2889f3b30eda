"""SIMILAR TO as PostgreSQL 16 matches it: the whole string, ``%`` and ``_`` as wildcards, ``.``
literal, groups, alternation, bracket expressions and ESCAPE (DataFusion read the pattern as an
unanchored regular expression, so ``'ada' SIMILAR TO 'a%'`` was false)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE names (id int PRIMARY KEY, name text, pattern text)",
    "INSERT INTO names VALUES (1, 'ada', 'a%'), (2, 'xada', '%d_'), (3, 'a.c', 'a.c'), (4, 'abc', 'a.c'),"
    " (5, NULL, 'b%'), (6, 'b%', NULL), (7, 'line' || chr(10) || 'two', 'line%two'), (8, 'A$b', '_$b')",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, name SIMILAR TO 'a%', name NOT SIMILAR TO 'a%' FROM names ORDER BY id",
        "SELECT id, name SIMILAR TO '%a' FROM names ORDER BY id",
        "SELECT id, name SIMILAR TO 'a.c' FROM names ORDER BY id",
        "SELECT id, name SIMILAR TO '(ad|xa)%', name SIMILAR TO '[a-b]%', name SIMILAR TO '_{3}' FROM names ORDER BY id",
        "SELECT id, name SIMILAR TO 'line%two', name SIMILAR TO '%$b', name SIMILAR TO 'a+da?' FROM names ORDER BY id",
        "SELECT id, name SIMILAR TO pattern FROM names ORDER BY id",
        "SELECT id, name SIMILAR TO 'b' || '%' FROM names ORDER BY id",
        "SELECT id, name SIMILAR TO 'b#%' ESCAPE '#', name SIMILAR TO 'b\\%' FROM names ORDER BY id",
        "SELECT id, name SIMILAR TO 'a%' ESCAPE '' FROM names ORDER BY id",
        "SELECT id FROM names WHERE name SIMILAR TO '%(d|c)%' ORDER BY id",
        "SELECT 'abc' SIMILAR TO NULL, NULL SIMILAR TO 'a'",
    ],
)
def test_similar_to_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql", ["SELECT 'a' SIMILAR TO 'a' ESCAPE 'xy'", "SELECT 'a' SIMILAR TO 'a' || 'b' ESCAPE 'xy'"]
)
def test_bad_escape_as_postgres(both, sql):
    lake, postgres = both.sqlstates(sql)
    assert lake == postgres and postgres is not None
