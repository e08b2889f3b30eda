"""Arrays of uuid, json, jsonb and unconstrained numeric as PostgreSQL 16 sends them: uuid[]
(2951), jsonb[] (3807) and json[] (199) where they were text[], their elements read as uuids and
JSON by the client, an element subscript of the element type, and an unconstrained numeric[]
without its storage's trailing zeros; also for arrays a select list makes (``ARRAY[x::uuid]``,
``::numeric[]``)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE tagged (id int PRIMARY KEY, ids uuid[], docs jsonb[], raw json[], amounts numeric[],"
    " prices numeric(5,2)[], counts int[])",
    "INSERT INTO tagged VALUES (1, ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, NULL],"
    " ARRAY['{\"a\": 1}'::jsonb], ARRAY['[1]'::json], ARRAY[1.5, 2], ARRAY[1.5], ARRAY[1, 2])",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT ids, docs, raw, amounts, prices, counts FROM tagged",
        "SELECT * FROM tagged",
        "SELECT t.ids AS i FROM tagged t WHERE 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid = ANY(ids)",
        "SELECT ids[1], amounts[1], docs[1], ids[1:1], amounts[1:2] FROM tagged",
        "SELECT ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid], ARRAY[1.5, 2.25]::numeric[],"
        " ARRAY['{\"b\": 2}'::jsonb]",
        "UPDATE tagged SET ids = array_append(ids, 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11') RETURNING ids",
    ],
)
def test_tagged_arrays_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def test_catalog_names_the_array_types_as_postgres(both):
    sql = (
        "SELECT a.attname, format_type(a.atttypid, NULL) FROM pg_attribute a"
        " WHERE attrelid = 'tagged'::regclass AND attnum > 0 ORDER BY attnum"
    )
    lake, postgres = both.answers(sql)
    assert lake.rows == postgres.rows
