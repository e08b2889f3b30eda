"""Subscripts as PostgreSQL 16 reads and writes them. jsonb: 0-based array elements
(``doc['a'][0]`` is the first, ``[-1]`` the last; agentlake had read them 1-based, and ``[0]`` as the
last), names (``doc['a']`` is "doc"), and ``UPDATE ... SET doc['a']['b'] = value``, which adds
missing keys, creates the objects on the way and reads a NULL document as empty; also in ON
CONFLICT DO UPDATE; a slice of jsonb is 42804. Arrays: ``SET tags[i] = value`` replaces an element
or extends the array with NULLs up to it; a subscript below 1 or not constant is refused (0A000)."""

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


def test_bound_subscripts_read_as_written(both):
    """A bound 1 is the first element (a parameter in a subscript had read the second)."""
    sql = "SELECT tags[%s], body['a'][%s], (body->'a')->%s FROM docs WHERE id = 1"
    answers = [conn.execute(sql, (1, 1, 1)).fetchall() for conn in (both.lake, both.postgres)]
    assert answers[0] == answers[1] == [("x", 2, 2)]


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


def test_array_elements_assigned_as_postgres(both):
    both.execute("CREATE TABLE bag (id int PRIMARY KEY, tags text[], nums int[])")
    both.execute("INSERT INTO bag VALUES (1, ARRAY['x', 'y', 'z'], ARRAY[1, 2]), (2, NULL, '{}')")
    for sql in (
        "UPDATE bag SET tags[2] = 'Y', nums[1] = 10 WHERE id = 1",
        "UPDATE bag SET tags[5] = 'far', nums[3] = '7' WHERE id = 1",
        "UPDATE bag SET tags[1] = 'first', nums[2] = 4 WHERE id = 2",
    ):
        both.execute(sql)
    lake, postgres = both.answers("SELECT * FROM bag ORDER BY id")
    assert (
        lake.rows
        == postgres.rows
        == [
            (1, ["x", "Y", "z", None, "far"], [10, 2, 7]),
            (2, ["first"], [4]),
        ]
    )
    statements = [
        conn.execute("UPDATE bag SET nums[%s] = %s WHERE id = 1", (2, 20)) for conn in (both.lake, both.postgres)
    ]
    assert [s.statusmessage for s in statements] == ["UPDATE 1", "UPDATE 1"]
    assert both.answers("SELECT nums FROM bag WHERE id = 1")[0].rows == [([10, 20, 7],)]


def test_assignments_refused_as_postgres_or_clearly(both):
    assert both.sqlstates("UPDATE docs SET body['a'][1:2] = '1'") == ("42804", "42804")
    for sql in ("UPDATE docs SET tags[0] = 'w' WHERE id = 1", "UPDATE docs SET tags[id] = 'w' WHERE id = 1"):
        lake, postgres = both.sqlstates(sql)
        assert (lake, postgres) == ("0A000", None)  # PostgreSQL extends the array's bounds; arrays here start at 1
    assert both.sqlstates("UPDATE docs SET tags[1] = 'w', tags[2] = 'v' WHERE id = 1")[0] == "42601"
