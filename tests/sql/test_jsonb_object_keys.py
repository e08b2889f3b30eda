"""jsonb_object_keys, in a select list and in FROM, as PostgreSQL 16 answers it (it was refused):
one row per key in jsonb's key order, none for an empty object or NULL, 22023 for an array."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE memories (id int PRIMARY KEY, meta jsonb)",
    """INSERT INTO memories VALUES (1, '{"topic": "plans", "b": 1, "aa": {"x": 1}}'), (2, '{}'), (3, NULL),"""
    """ (4, '{"source": "web"}')""",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, jsonb_object_keys(meta) FROM memories ORDER BY id, 2",
        "SELECT jsonb_object_keys(meta) AS k, count(*) FROM memories GROUP BY k ORDER BY k",
        'SELECT * FROM jsonb_object_keys(\'{"y": 1, "x": 2, "xx": 3}\')',
        "SELECT k FROM memories, jsonb_object_keys(meta) AS k WHERE id = 1",
        "SELECT m.id, keys.k FROM memories m, jsonb_object_keys(m.meta) AS keys(k) ORDER BY 1, 2",
    ],
)
def test_object_keys_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def test_keys_of_an_array_are_refused(both):
    assert both.sqlstates("SELECT jsonb_object_keys('[1, 2]')") == ("22023", "22023")
