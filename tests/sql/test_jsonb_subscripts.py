"""jsonb subscripts as PostgreSQL 16 reads and writes them: 0-based array elements (``doc['a'][0]``
is the first, ``[-1]`` the last; agentlake had read them 1-based, and ``[0]`` as the last), names
(``doc['a']`` is "doc"), and ``UPDATE ... SET doc['a']['b'] = value``, which adds missing keys,
creates the objects on the way and reads a NULL document as empty; also in ON CONFLICT DO UPDATE.
An array column's element assignment is refused (0A000); a slice of jsonb is 42804."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE docs (id int PRIMARY KEY, tags text[], body jsonb)",
    """INSERT INTO docs VALUES (1, ARRAY['x', 'y'], '{"a": [1, 2, 3], "b": {"c": 3}}'), (2, NULL, NULL)""",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT body['a'][0], body['a'][-1], body['a'][2], body['a'][9], (body->'a')[1], body['b']['c'] FROM docs"
        " ORDER BY id",
        "SELECT id FROM docs WHERE body['b']['c'] = '3' ORDER BY id",
        "SELECT body['b']['c']::int + 1 AS next, tags[1], (tags)[2] FROM docs ORDER BY id",
    ],
)
def test_reading_subscripts_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)


def test_assigning_through_subscripts_as_postgres(both):
    for sql in (
        "UPDATE docs SET body['b']['c'] = '7' WHERE id = 1",
        """UPDATE docs SET body['new']['deep'] = '"x"' WHERE id = 1""",
        "UPDATE docs SET body['a'][0] = '10', tags = ARRAY['z'] WHERE id = 1",
        "UPDATE docs SET body['k'] = '1' WHERE id = 2",
        """INSERT INTO docs VALUES (2, NULL, '{}') ON CONFLICT (id) DO UPDATE SET body['seen'] = 'true'""",
    ):
        both.execute(sql)
    lake, postgres = both.answers("SELECT id, body, tags FROM docs ORDER BY id")
    assert lake.rows == postgres.rows
    assert lake.rows[1][1] == {"k": 1, "seen": True}


def test_assignments_refused_as_postgres_or_clearly(both):
    assert both.sqlstates("UPDATE docs SET body['a'][1:2] = '1'") == ("42804", "42804")
    lake, postgres = both.sqlstates("UPDATE docs SET tags[1] = 'w' WHERE id = 1")
    assert (lake, postgres) == ("0A000", None)  # PostgreSQL sets the element; agentlake refuses, nothing half-done
