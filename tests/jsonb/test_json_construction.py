"""Building JSON from SQL values (to_json/to_jsonb, row_to_json, array_to_json, json(b)_build_*,
json(b)_agg, json(b)_object_agg) and transforming documents (json(b)_strip_nulls, jsonb_pretty,
jsonb_insert), answered by agentlake's server and by PostgreSQL 16 through psycopg: the exact text,
the decoded values, the result column types (json 114, jsonb 3802) and errors by SQLSTATE."""

from __future__ import annotations

import psycopg
import pytest

JSON_OID, JSONB_OID = 114, 3802

SETUP = [
    "CREATE TABLE items (id int PRIMARY KEY, name text, grp text, d date, ts timestamp, n numeric(6,2),"
    " f float8, r real, ok boolean, tags text[], nums int[], meta jsonb)",
    "INSERT INTO items VALUES"
    " (1, 'x', 'a', '2024-01-02', '2024-01-02 03:04:05', 1.50, 0.1, 0.25, true, ARRAY['a','b'], ARRAY[1,NULL],"
    ' \'{"b": [1, 2], "a": {"k": null}, "aa": 1.50}\'),'
    " (2, NULL, 'a', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
    " (3, 'é\"q\\z', 'b', '2024-03-04', '2024-01-02 03:04:05.5', -2.00, 1e20, 1e6, false, ARRAY[]::text[],"
    ' ARRAY[3], \'[1, {"b": null}, "ü"]\'),'
    " (4, 'line\nbreak', 'b', '1999-12-31', '2000-01-01 00:00:00.123456', 0.00, -0.5, -1.5, true,"
    " ARRAY['x,y', NULL, '\"q\"'], ARRAY[]::int[], '\"just a string\"')",
]

QUERIES = [
    # to_json / to_jsonb of values of every type, NULLs included
    "SELECT id, to_json(name), to_json(d), to_json(ts), to_json(n), to_json(f), to_json(r), to_json(ok),"
    " to_json(tags), to_json(nums), to_json(meta) FROM items ORDER BY id",
    "SELECT id, to_jsonb(name), to_jsonb(d), to_jsonb(ts), to_jsonb(n), to_jsonb(f), to_jsonb(r), to_jsonb(ok),"
    " to_jsonb(tags), to_jsonb(nums), to_jsonb(meta) FROM items ORDER BY id",
    "SELECT to_json(1.50), to_jsonb(1.50), to_json(NULL::int), to_json('it''s'::text), to_jsonb(1e20::float8),"
    " to_json('1e15'::float8), to_json('1e-5'::float8), to_json('NaN'::float8), to_json(true), to_json(ARRAY[1, 2])",
    "SELECT to_json(DATE '2024-02-29'), to_jsonb(TIMESTAMP '2024-01-02 03:04:05.25')",
    # whole rows
    "SELECT row_to_json(items) FROM items ORDER BY id",
    "SELECT to_jsonb(i) FROM items AS i ORDER BY i.id",
    "SELECT to_json(i.*) FROM items i ORDER BY id",
    "SELECT row_to_json(s) FROM (SELECT id, name AS label, meta -> 'b' AS b FROM items) s ORDER BY s.id",
    "WITH c AS (SELECT id, tags FROM items) SELECT jsonb_agg(c ORDER BY c.id DESC) FROM c",
    "SELECT json_agg(i ORDER BY i.id) FROM items i",
    "SELECT jsonb_agg(i ORDER BY i.id) FROM items i",
    "SELECT grp, json_agg(items ORDER BY id) FROM items GROUP BY grp ORDER BY grp",
    "SELECT row_to_json(ROW(1, 'a')), to_json(ROW(1, 2)), to_jsonb(ROW('x', NULL)), row_to_json((1, 'x'))",
    "SELECT row_to_json(ROW(id, name)) FROM items ORDER BY id",
    # aggregates: ORDER BY, FILTER, DISTINCT, empty groups, windows
    "SELECT json_agg(id ORDER BY id), jsonb_agg(id ORDER BY id DESC), json_agg(name ORDER BY id), jsonb_agg(meta ORDER BY id)"
    " FROM items",
    "SELECT json_agg(tags ORDER BY id), jsonb_agg(nums ORDER BY id) FROM items",
    "SELECT grp, jsonb_agg(n ORDER BY id) FILTER (WHERE n > 0), json_agg(f ORDER BY id) FROM items"
    " GROUP BY grp ORDER BY grp",
    "SELECT jsonb_agg(id) FILTER (WHERE id > 10), json_agg(id) FILTER (WHERE id > 10) FROM items",
    "SELECT jsonb_agg(id), json_agg(id), jsonb_object_agg(name, id), json_object_agg(name, id)"
    " FROM items WHERE id > 10",
    "SELECT json_agg(DISTINCT grp), jsonb_agg(DISTINCT ok), json_agg(DISTINCT grp ORDER BY grp DESC) FROM items",
    "SELECT json_object_agg(id, name ORDER BY id), jsonb_object_agg(grp, id ORDER BY id) FROM items",
    "SELECT jsonb_object_agg(grp, meta ORDER BY id DESC) FILTER (WHERE meta IS NOT NULL) FROM items",
    "SELECT json_object_agg(d, tags ORDER BY id) FILTER (WHERE d IS NOT NULL) FROM items",
    "SELECT id, jsonb_agg(id) OVER (ORDER BY id), json_agg(name) OVER (PARTITION BY grp ORDER BY id) FROM items"
    " ORDER BY id",
    # building
    "SELECT json_build_object('id', id, 'name', name, 'at', ts, 'tags', tags, 'meta', meta) FROM items ORDER BY id",
    "SELECT jsonb_build_object('id', id, 'name', name, 'at', ts, 'tags', tags, 'meta', meta, 'row', i)"
    " FROM items i ORDER BY id",
    "SELECT json_build_object(id, d, ok, n), jsonb_build_object(id, d, ok, n) FROM items WHERE d IS NOT NULL"
    " ORDER BY id",
    "SELECT json_build_array(id, name, tags, meta, NULL), jsonb_build_array(id, name, tags, meta, NULL)"
    " FROM items ORDER BY id",
    "SELECT json_build_object(), jsonb_build_object(), json_build_array(), jsonb_build_array()",
    "SELECT jsonb_build_object('a', 1, 'a', 2), json_build_object('a', 1, 'a', 2)",
    "SELECT array_to_json(tags), array_to_json(nums), array_to_json(ARRAY['x', NULL]) FROM items ORDER BY id",
    "SELECT jsonb_build_object('items', (SELECT jsonb_agg(jsonb_build_object('id', id, 'n', n) ORDER BY id)"
    " FROM items))",
    # transforming
    "SELECT jsonb_strip_nulls(meta), jsonb_pretty(meta) FROM items ORDER BY id",
    'SELECT json_strip_nulls(\'{"a": 1, "b": null, "c": [1, null, {"d": null, "e": 1e2}], "a": 2.50}\')',
    "SELECT json_strip_nulls(json_build_object('a', name, 'b', id)) FROM items ORDER BY id",
    "SELECT jsonb_pretty('[]'), jsonb_pretty('{}'), jsonb_pretty('1'), jsonb_pretty('[[], {\"a\": [1, {}]}]')",
    "SELECT jsonb_insert(meta, '{c}', '\"new\"'), jsonb_insert(meta, '{b,0}', '0', true) FROM items WHERE id = 1",
    "SELECT jsonb_insert('{\"a\": [0, 1, 2]}', '{a,1}', '\"x\"'), jsonb_insert('{\"a\": [0, 1, 2]}', '{a,-1}', '9', true),"
    " jsonb_insert('{\"a\": [0, 1, 2]}', '{a,-9}', '9'), jsonb_insert('{\"a\": [0, 1, 2]}', '{a,9}', '9'),"
    " jsonb_insert('{\"a\": 1}', '{x,y}', '2'), jsonb_insert('[]', '{0}', '2')",
    # composed with jsonb operators
    "SELECT jsonb_agg(id ORDER BY id) -> 0, jsonb_agg(meta ORDER BY id) @> '[\"just a string\"]' FROM items",
    "SELECT to_jsonb(i) ->> 'name', row_to_json(i)::jsonb -> 'tags' FROM items i ORDER BY id",
]

ERRORS = [
    "SELECT json_build_object(name, 1) FROM items",
    "SELECT jsonb_build_object(name, 1) FROM items",
    "SELECT json_build_object('a')",
    "SELECT jsonb_build_object('a', 1, 'b')",
    "SELECT json_build_object(meta, 1) FROM items",
    "SELECT json_object_agg(name, id) FROM items",
    "SELECT jsonb_object_agg(name, id) FROM items",
    "SELECT jsonb_insert('{\"a\": 1}', '{a}', '2')",
    "SELECT jsonb_insert('1', '{a}', '2')",
    "SELECT jsonb_insert('[1]', '{a}', '2')",
    "SELECT json_agg(DISTINCT meta::json) FROM items",
    "SELECT row_to_json(1)",
]


def _answer(conn: psycopg.Connection, sql: str, as_text: bool):
    """Rows and column types, or the SQLSTATE; with ``as_text`` every column as text."""
    try:
        cur = conn.execute(sql)
        rows = [tuple(r) for r in cur.fetchall()]
        if as_text:  # a subquery's order is not kept: the rows as a set (their order is checked without)
            cur = conn.execute(_as_text(sql, len(cur.description)))
            rows = sorted((tuple(r) for r in cur.fetchall()), key=repr)
        return rows, [d.type_code for d in cur.description]
    except psycopg.Error as err:
        return "error", err.sqlstate


def _as_text(sql: str, width: int) -> str:
    columns = ", ".join(f"c{i}::text" for i in range(width))
    names = ", ".join(f"c{i}" for i in range(width))
    return f"SELECT {columns} FROM ({sql}) AS q({names})"


@pytest.fixture
def lake_wire(make_server):
    """A psycopg connection to agentlake's server, its repository holding ``items``."""
    with psycopg.connect(make_server().dsn(), autocommit=True) as conn:
        for statement in SETUP:
            conn.execute(statement)
        yield conn


@pytest.fixture
def both(postgres, lake_wire):
    """``lake_wire`` and a connection to PostgreSQL 16 holding the same ``items``."""
    postgres.execute("DROP TABLE IF EXISTS items")
    for statement in SETUP:
        postgres.execute(statement)
    yield lake_wire, postgres
    postgres.execute("DROP TABLE IF EXISTS items")


def test_values_types_and_text_as_postgres(both):
    lake, postgres = both
    mismatched = []
    for sql in QUERIES:
        for as_text in (False, True):
            mine, theirs = _answer(lake, sql, as_text), _answer(postgres, sql, as_text)
            if mine != theirs:
                mismatched.append((sql, as_text, mine, theirs))
    assert mismatched == []


def test_result_columns_are_json_and_jsonb(lake_wire):
    lake = lake_wire
    cur = lake.execute(
        "SELECT to_json(1), to_jsonb(1), row_to_json(i), json_build_object('a', 1), jsonb_build_array(1),"
        " array_to_json(tags), jsonb_strip_nulls(meta), jsonb_insert('[]', '{0}', '1'), json_strip_nulls('{}')"
        " FROM items i WHERE id = 1"
    )
    assert [d.type_code for d in cur.description] == [JSON_OID, JSONB_OID, JSON_OID, JSON_OID, JSONB_OID] + [
        JSON_OID,
        JSONB_OID,
        JSONB_OID,
        JSON_OID,
    ]
    assert [d.name for d in cur.description][:3] == ["to_json", "to_jsonb", "row_to_json"]
    row = cur.fetchone()
    assert row[2]["tags"] == ["a", "b"] and row[5] == ["a", "b"] and row[7] == [1]
    cur = lake.execute(
        "SELECT json_agg(id ORDER BY id), jsonb_agg(i ORDER BY id), json_object_agg(id, name ORDER BY id),"
        " jsonb_object_agg(id, ok) FROM items i"
    )
    assert [d.type_code for d in cur.description] == [JSON_OID, JSONB_OID, JSON_OID, JSONB_OID]
    assert [d.name for d in cur.description] == ["json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg"]
    row = cur.fetchone()
    assert row[0] == [1, 2, 3, 4] and row[1][0]["meta"]["b"] == [1, 2] and row[2]["2"] is None
    assert row[3] == {"1": True, "2": None, "3": False, "4": True}


def test_errors_as_postgres(both):
    lake, postgres = both
    assert [_answer(lake, sql, False) for sql in ERRORS] == [_answer(postgres, sql, False) for sql in ERRORS]


def test_embedded_api_reads_jsonb_aggregates(lake):
    cur = lake.cursor()
    cur.execute("CREATE TABLE t (id int PRIMARY KEY, name text)")
    cur.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
    cur.execute("SELECT jsonb_agg(t ORDER BY t.id DESC), jsonb_object_agg(name, id) FROM t")
    assert cur.fetchall() == [([{"id": 2, "name": "b"}, {"id": 1, "name": "a"}], {"a": 1, "b": 2})]
    cur.execute("SELECT jsonb_agg(id) FROM t WHERE id > 5")
    assert cur.fetchall() == [(None,)]
    cur.execute("CREATE TABLE v (id int PRIMARY KEY, e vector(2))")
    cur.execute("INSERT INTO v VALUES (1, '[1,2.5]')")
    cur.execute("SELECT row_to_json(v)::text, to_jsonb(e) FROM v")  # a vector is its text, as with pgvector
    assert cur.fetchall() == [('{"id":1,"e":"[1,2.5]"}', "[1,2.5]")]
