"""Set-returning functions in FROM (issue 24): ``jsonb_each``, ``jsonb_each_text``,
``jsonb_array_elements(_text)``, ``unnest``, ``generate_series`` and ``json(b)_to_record(set)``
(with a column definition list), with table and column aliases,
WITH ORDINALITY, and LATERAL (written, or implicit as PostgreSQL allows of a function in FROM) over
an earlier FROM item's columns. Each answer is compared with PostgreSQL 16's through psycopg: the
column names, the wire types and the rows, in PostgreSQL's order where the query leaves it to the
plan (each outer row, then its elements in order)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE t (id int PRIMARY KEY, j jsonb, n text, arr int[], tags text[])",
    """INSERT INTO t VALUES
        (1, '{"a": 1, "b": [1, 2]}', 'one', ARRAY[1, 2], ARRAY['x', 'y']),
        (2, '{"c": "x", "d": null}', 'two', ARRAY[]::int[], ARRAY[]::text[]),
        (3, NULL, NULL, NULL, NULL)""",
    "CREATE TABLE u (id int PRIMARY KEY, tid int, value text, doc jsonb)",
    """INSERT INTO u VALUES (10, 1, 'ten', '[{"p": 1}, {"q": [2, 3]}]'), (20, 2, 'twenty', '[]'),
        (30, 1, 'thirty', '["s", 4]')""",
]

SAME_ORDER = [
    # the statements
    "SELECT k, v FROM t, jsonb_each(t.j) AS e(k, v) WHERE id = 1",
    "SELECT * FROM unnest(ARRAY[3, 4]) WITH ORDINALITY AS u(v, i)",
    "SELECT * FROM jsonb_array_elements('[1, 2]'::jsonb) WITH ORDINALITY AS x(v, i)",
    "SELECT t.id, x FROM t CROSS JOIN LATERAL generate_series(1, t.id) x",
    "SELECT t.id, e.key FROM t, LATERAL jsonb_each(t.j) e",
    "SELECT id, g FROM t, generate_series(1, id) g",  # implicit LATERAL
    # names and types PostgreSQL gives
    "SELECT * FROM t, jsonb_each(t.j) e",
    "SELECT e.*, t.id FROM t, jsonb_each_text(t.j) e",
    'SELECT * FROM jsonb_each(\'{"a": 1, "b": "x"}\')',
    'SELECT * FROM jsonb_each_text(\'{"a": 1, "b": "x", "c": null}\') e',
    "SELECT * FROM jsonb_each('{\"a\": [1]}') e(k)",
    'SELECT * FROM jsonb_array_elements(\'[1, "a", null, {"b": 2}]\') e',
    'SELECT value FROM jsonb_array_elements_text(\'[1, "a", null, {"b": 2}]\')',
    "SELECT * FROM unnest(ARRAY[3, 4]) WITH ORDINALITY",
    "SELECT * FROM unnest(ARRAY[3, 4]) WITH ORDINALITY u",
    "SELECT u FROM unnest(ARRAY['a', 'b']) u",
    "SELECT * FROM unnest(ARRAY[1, 2, 3], ARRAY['a']) u(x, y)",
    "SELECT * FROM generate_series(1, 3) g",
    "SELECT * FROM generate_series(1, 3) WITH ORDINALITY g",
    "SELECT * FROM generate_series(1::bigint, 3) AS g(v)",
    "SELECT * FROM generate_series(10, 1, -4)",
    "SELECT jsonb_each.key FROM t, jsonb_each(t.j)",
    # LATERAL over an earlier item
    "SELECT id, key, value FROM t, jsonb_each(j)",
    "SELECT id, value, ordinality FROM t, jsonb_array_elements(t.j -> 'b') WITH ORDINALITY",
    "SELECT id, value FROM t, jsonb_array_elements_text(t.j -> 'b')",
    "SELECT * FROM t, LATERAL generate_series(1, t.id) WITH ORDINALITY g",
    "SELECT id, g FROM t, generate_series(t.id, 10, 4) g",
    "SELECT id, x FROM t, unnest(t.arr) x",
    "SELECT t.id, u.* FROM t, unnest(t.arr, t.tags) WITH ORDINALITY AS u(a, b, o)",
    "SELECT t.id, e.key, x.value FROM t, jsonb_each(t.j) e, jsonb_array_elements(t.j -> 'b') x",
    "SELECT t.id, e.key, g FROM t, jsonb_each_text(t.j) e, generate_series(1, length(e.key) + 1) g",
    'SELECT a.value, e.key, e.value AS v FROM jsonb_array_elements(\'[{"p": 1}, {"q": 2, "r": 3}]\') a, jsonb_each(a.value) e',
    'SELECT e.* FROM jsonb_array_elements(\'[{"p": 1}, {"q": 2, "r": 3}]\') a, jsonb_each(a.value) e',
    "SELECT u.id, u.value, e.value AS element FROM u, jsonb_array_elements(u.doc) e",
    # LEFT JOIN LATERAL ... ON true keeps the rows a function has nothing for
    "SELECT * FROM t LEFT JOIN LATERAL jsonb_array_elements(t.j -> 'b') e ON true",
    "SELECT t.id, x, o FROM t LEFT JOIN LATERAL unnest(t.tags) WITH ORDINALITY AS w(x, o) ON true",
    "SELECT t.id, e.key FROM t LEFT JOIN jsonb_each(t.j) e ON true",
    # rows of JSON objects, typed by a column definition list
    'SELECT * FROM jsonb_to_record(\'{"a": 1, "b": "x"}\') AS r(a int, b text)',
    'SELECT * FROM jsonb_to_recordset(\'[{"a": 1, "b": "x"}, {"a": 2}]\') AS r(a int, b text, c jsonb)',
    'SELECT r.* FROM json_to_recordset(\'[{"a": 1.5, "b": true, "d": {"e": 1}}]\') AS r(a float8, b boolean, d jsonb)',
    "SELECT u.id, r.p, r.q FROM u, jsonb_to_recordset(u.doc) AS r(p int, q jsonb) WHERE u.id = 10",
    "SELECT u.id, r.p FROM u LEFT JOIN LATERAL jsonb_to_recordset(u.doc) AS r(p int) ON true WHERE u.id <> 30",
]

SORTED = [
    "SELECT u.id, t.n, e.key FROM t JOIN u ON u.tid = t.id, jsonb_each(t.j) e",
    "SELECT t.id, e.key FROM t JOIN LATERAL jsonb_each_text(t.j) e ON e.value = 'x'",
    "SELECT t.id FROM t, jsonb_each_text(t.j) e WHERE e.value = 'x' OR e.key = 'b'",
    "SELECT e.key, count(*) FROM t, jsonb_each(t.j) e GROUP BY e.key",
    "SELECT key, count(*) FROM t, jsonb_each(t.j) GROUP BY key HAVING count(*) > 0",
    "SELECT t.id, t.n, count(*) FROM t, jsonb_each(t.j) e GROUP BY t.id",
    "SELECT value, count(*) FROM t, jsonb_array_elements(t.j -> 'b') GROUP BY value",
    "SELECT k FROM t, jsonb_each(t.j) AS e(k) ORDER BY k DESC",
    "SELECT id, v FROM t, jsonb_each(t.j) AS e(k, v) WHERE v = '1'::jsonb",
    "SELECT t.id, g FROM t, generate_series(1, 2) g",  # PostgreSQL's plan picks an order here
    "WITH c AS (SELECT * FROM t) SELECT * FROM c, jsonb_each(c.j) e",
    "SELECT * FROM (SELECT id, j FROM t) s, LATERAL jsonb_each(s.j) e",
    "SELECT * FROM (SELECT id, key FROM t, jsonb_each(t.j)) s",
    "SELECT s.key, count(*) FROM (SELECT t.id, e.* FROM t, jsonb_each_text(t.j) e) s GROUP BY s.key",
]


def _same(lake, postgres, ordered: bool) -> None:
    assert lake.names == postgres.names
    assert lake.type_oids == postgres.type_oids
    if ordered:
        assert lake.rows == postgres.rows
    else:
        assert sorted(lake.rows, key=repr) == sorted(postgres.rows, key=repr)


@pytest.mark.parametrize("sql", SAME_ORDER)
def test_answers_as_postgres_in_its_order(both, sql):
    _same(*both.answers(sql), ordered=True)


@pytest.mark.parametrize("sql", SORTED)
def test_answers_as_postgres(both, sql):
    _same(*both.answers(sql), ordered=False)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM jsonb_each('{}') e(a, b, c)",  # 42P10: more column aliases than columns
        "SELECT * FROM generate_series(1, 2) WITH ORDINALITY g(a, b, c)",
        "SELECT key FROM t, jsonb_each(t.j) e, jsonb_each(t.j) f",  # 42702: ambiguous
        "SELECT value FROM u, jsonb_array_elements(u.doc) e",
        "SELECT * FROM t, jsonb_each(t.j) e WHERE e.nope = 1",  # 42703
        "SELECT * FROM jsonb_each('[1]')",  # 22023: not an object
        "SELECT * FROM t, jsonb_array_elements(t.j) e",
        "SELECT * FROM t, generate_series(1, t.id, 0) g",  # 22023: step zero
        "SELECT * FROM generate_series(1, 3, 0)",
        "SELECT * FROM no_such_function(1)",  # 42883
        "SELECT * FROM jsonb_to_record('{\"a\": 1}') AS r",  # 42601: no column definition list
        'SELECT * FROM jsonb_to_record(\'{"a": "x"}\') AS r(a int)',  # 22P02
    ],
)
def test_errors_as_postgres(both, sql):
    lake, postgres = both.sqlstates(sql)
    assert postgres is not None
    assert lake == postgres


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM t, u, generate_series(t.id, u.id) g",  # reads two FROM items
        "SELECT t.id FROM t LEFT JOIN LATERAL jsonb_each(t.j) e ON e.key = 'a'",
        "SELECT * FROM u LEFT JOIN t ON t.id = u.tid, jsonb_each(t.j) e",  # t on an outer join's nullable side
        "SELECT t.id FROM t JOIN LATERAL jsonb_each(t.j) e ON e.key <> 'a' RIGHT JOIN u ON u.tid = t.id",
        "SELECT * FROM generate_series(1.5, 3) g",  # numeric series
        "SELECT * FROM t, generate_series('2024-01-01'::timestamp, '2024-01-09', (t.id || ' days')::interval) g",
        "SELECT e FROM jsonb_array_elements('[1, 2]') e",  # a whole-row reference
        "SELECT * FROM unnest(ARRAY[1], ARRAY[2])",  # two output columns named unnest
        "SELECT * FROM json_each('{\"a\": 1}')",
    ],
)
def test_what_is_not_supported_is_refused(both, sql):
    lake, postgres = both.sqlstates(sql)
    assert postgres is None, "PostgreSQL answers these"
    assert lake == "0A000"
