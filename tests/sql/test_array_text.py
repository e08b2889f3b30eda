"""An array made text inside SQL prints as array_out does, ``{1,2}``, ``{"a b",NULL,""}``,
``{t,f}``, ``{"2024-01-01 10:00:00"}``: cast to text, and given to concat, concat_ws and format
(DataFusion printed ``[1, 2]``, and format refused an array). Vectors keep their own text.
Compared with PostgreSQL 16 (with pgvector) over the wire."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE EXTENSION IF NOT EXISTS vector",
    "CREATE TABLE bags (id int PRIMARY KEY, ids int[], tags text[], flags boolean[], days date[],"
    " seen timestamp[], scores float8[], e vector(2))",
    "INSERT INTO bags VALUES (1, ARRAY[1,2], ARRAY['a b', NULL, '', 'NULL', 'q\"x', 'back\\slash', 'plain'],"
    " ARRAY[true, false], ARRAY['2024-01-01'::date], ARRAY['2024-01-01 10:00:00.5'::timestamp], ARRAY[1.5, 1e20],"
    " '[1,2]'), (2, '{}', NULL, ARRAY[NULL]::boolean[], NULL, NULL, ARRAY[-0.25], NULL)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, ids::text, tags::text, flags::text, days::text, seen::text, scores::text, e::text"
        " FROM bags ORDER BY id",
        "SELECT id, CAST(ids AS text), concat(ids, '/', flags), concat_ws(';', days, scores) FROM bags ORDER BY id",
        "SELECT id, format('%s and %s', ids, tags), format('%L', ids), format('%I', tags) FROM bags WHERE id = 1",
        "SELECT ARRAY[1, 2]::text, ARRAY['x y', NULL]::text, '{3,4}'::int[]::text, ARRAY[]::int[]::text",
        "SELECT array_agg(id ORDER BY id)::text, array_agg(tags[1] ORDER BY id)::text FROM bags",
    ],
)
def test_arrays_made_text_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def test_array_concatenation_stays_an_array(both):
    lake, postgres = both.answers("SELECT ids || ARRAY[3], ids || 4 FROM bags ORDER BY id")
    assert lake.rows == postgres.rows


def test_array_literals_read_as_array_in_does(both):
    """Whitespace around an element, or beside its quotes, is not part of it (``{"a b", "c,d"}``
    had read ``" c,d"``); inside the quotes it is."""
    sql = """SELECT '{"a b", "c,d" , NULL, " e "}'::text[], '{ 1 , 2 }'::int[], '{ x y ,"NULL"}'::text[]"""
    lake, postgres = both.answers(sql)
    assert lake.rows == postgres.rows == [(["a b", "c,d", None, " e "], [1, 2], ["x y", "NULL"])]
