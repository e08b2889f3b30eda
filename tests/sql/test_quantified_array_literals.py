"""``x op ANY ('{...}')`` and ``ALL``: an untyped array literal after a quantifier is an array of
the left side's type, as PostgreSQL 16 reads it (it was read as text: 42883, "array_has(Utf8,
...)"); comparisons other than ``=`` hold element by element, NULL elements and empty arrays as
PostgreSQL answers them; a literal that is no array is 22P02."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE facts (id int PRIMARY KEY, t text, n int, j jsonb)",
    """INSERT INTO facts VALUES (1, 'fact', 1, '{"k": "fact"}'), (2, 'x', 2, '{"k": "y"}'), (3, NULL, NULL, '{}')""",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 'a' = ANY('{a,b}')",
        "SELECT 2 = ANY('{1,2}'), 2 <> ALL('{1,2}'), 3 = ANY('{}'), 3 <> ALL('{}')",
        "SELECT 3 > ALL('{1,NULL}'), 3 > ANY('{1,NULL}'), 0 > ANY('{1,NULL}'), 3 > ANY('{}'), 3 > ALL('{}')",
        "SELECT 'x' LIKE ANY('{x%,y}'), 'x' NOT LIKE ANY('{x%,y}'), 'x' ILIKE ALL('{X%,%x}')",
        "SELECT NULL::int = ANY(ARRAY[]::int[]), NULL::int = ANY('{1}')",
        "SELECT id FROM facts WHERE t = ANY('{fact,z}') ORDER BY id",
        "SELECT id FROM facts WHERE n = ANY('{2,3}') ORDER BY id",
        "SELECT id FROM facts WHERE j->>'k' = ANY('{fact,y}') ORDER BY id",
        "SELECT id FROM facts WHERE t <> ALL('{fact,z}') ORDER BY id",
        "SELECT id FROM facts WHERE n >= ALL('{1,2}') ORDER BY id",
        """SELECT id FROM facts WHERE t = ANY('{"fa ct",x}') ORDER BY id""",
    ],
)
def test_quantified_literals_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def test_a_literal_that_is_no_array_is_refused(both):
    assert both.sqlstates("SELECT 3 = ANY('abc')") == ("22P02", "22P02")
