"""RETURNING typed as PostgreSQL 16 types it: a jsonb column is jsonb after DELETE too (it was text),
``meta -> 'k'`` and ``#>`` are jsonb (they were text, so clients read '1' for 1), ``->>`` and
functions of text stay text; INSERT, UPDATE, DELETE and ON CONFLICT alike."""

from __future__ import annotations

import pytest

SETUP = ["CREATE TABLE mem (id int PRIMARY KEY, meta jsonb, note text)"]


@pytest.mark.parametrize(
    "sql",
    [
        """INSERT INTO mem VALUES (1, '{"s": 1, "t": "x"}', 'n') RETURNING meta, meta->'s', meta->>'t', meta->'t', note""",
        """UPDATE mem SET meta = meta || '{"u": [2]}' RETURNING meta, meta->'u', meta #> '{u,0}', jsonb_typeof(meta)""",
        """INSERT INTO mem VALUES (1, '{}', 'm') ON CONFLICT (id) DO UPDATE SET note = excluded.note"""
        """ RETURNING id, meta->'s', upper(note)""",
        "DELETE FROM mem RETURNING meta->'s', meta, note",
    ],
)
def test_returning_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
