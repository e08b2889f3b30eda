"""``jsonb @@ jsonpath`` is the path's predicate, as in PostgreSQL 16 (it was read as text search:
``'$.a[0] == 1'`` became the words a, 0 and 1, looked for in the document's text), errors
suppressed as the operator suppresses them; and repeated ``@@`` items are each named ``?column?``
(the second was ``?column?_1``)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE docs (id int PRIMARY KEY, j jsonb)",
    """INSERT INTO docs VALUES (1, '{"a": [1, 2], "b": 2}'), (2, '{"a": []}'), (3, NULL)""",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, j @@ '$.a[0] == 1', j @@ '$.b == 2', j -> 'a' @@ '$[1] == 2' FROM docs ORDER BY id",
        "SELECT id FROM docs WHERE j @@ '$.b == 2' ORDER BY id",
        "SELECT id, j @@ '$.a', j @@ '$.a[*] > 1' FROM docs ORDER BY id",
        """SELECT '{"a": [1, 2]}'::jsonb @@ '$.a[1] == 1', '{"x": 1}'::jsonb @@ '$.x / 0 == 1'""",
        "SELECT to_tsvector('simple', 'a b') @@ 'a', to_tsvector('simple', 'a b') @@ 'c'",
    ],
)
def test_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
