"""Quoted constants beside arrays read as arrays of that array's type, as PostgreSQL 16 reads them:
``tags @> '{b}'`` was read as jsonb containment (22P02, "invalid input syntax for type json"),
``tags <@ '{a,b,c}'`` and ``tags = '{b}'`` could not compare a list with text (42804). Containment
with a NULL array is NULL (DataFusion found an empty array in NULL, and NULL in any array)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE notes (id int PRIMARY KEY, tags text[], nums int[], doc jsonb)",
    """INSERT INTO notes VALUES (1, '{a,b}', '{1,2}', '{"a": 1}'), (2, '{b}', '{2}', '{"b": 2}'),
       (3, NULL, NULL, NULL), (4, '{}', '{}', '{}')""",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id FROM notes WHERE tags @> '{b}' ORDER BY id",
        "SELECT id FROM notes WHERE '{b}' <@ tags ORDER BY id",
        "SELECT id FROM notes WHERE tags <@ '{a,b,c}' ORDER BY id",
        "SELECT id FROM notes WHERE tags && '{a,z}' ORDER BY id",
        "SELECT id FROM notes WHERE tags @> '{}' ORDER BY id",
        """SELECT id FROM notes WHERE tags @> '{"b"}' ORDER BY id""",
        "SELECT id FROM notes WHERE nums @> '{2}' ORDER BY id",
        "SELECT id FROM notes WHERE nums <@ '{1,2,3}' ORDER BY id",
        "SELECT id FROM notes WHERE tags = '{b}' ORDER BY id",
        "SELECT id FROM notes WHERE tags <> '{b}' ORDER BY id",
        "SELECT id FROM notes WHERE tags IN ('{b}', '{}') ORDER BY id",
        """SELECT id FROM notes WHERE doc @> '{"a": 1}' ORDER BY id""",
        "SELECT '{1,2}'::int[] @> '{2}', ARRAY[1,2] @> '{2}', '{2}' <@ ARRAY[1,2], ARRAY['a'] <@ '{a,b}'",
        "SELECT id, tags @> ARRAY['b'], nums <@ ARRAY[1,2], tags @> tags, ARRAY[1] @> nums FROM notes ORDER BY id",
    ],
)
def test_array_constants_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def test_a_constant_that_is_no_array_is_refused(both):
    assert both.sqlstates("SELECT id FROM notes WHERE nums @> '{x}'") == ("22P02", "22P02")
