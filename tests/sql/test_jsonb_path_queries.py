"""jsonb_path_query (every item, a row each, in a select list or in FROM) and
jsonb_path_query_array (every item as one jsonb array), as PostgreSQL 16 answers them; both were
42883 or 0A000; and the ``@?`` operator (was 0A000). With variables and the silent flag; pg_typeof of jsonb functions is jsonb."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE docs (id int PRIMARY KEY, body jsonb)",
    """INSERT INTO docs VALUES (1, '{"tags": ["a", "b"], "scores": [3, 9, 5], "who": {"name": "x"}}'),"""
    """ (2, '{"tags": [], "scores": [1]}'), (3, NULL)""",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, jsonb_path_query_array(body, '$.scores[*] ? (@ > 2)') FROM docs ORDER BY id",
        "SELECT id, jsonb_path_query_array(body, '$.tags[*]'), jsonb_path_query_array(body, '$.missing') FROM docs"
        " ORDER BY id",
        "SELECT id, jsonb_path_query_array(body, '$.scores[*] ? (@ >= $min)', '{\"min\": 5}') FROM docs ORDER BY id",
        "SELECT id, jsonb_path_query(body, '$.scores[*]') AS score FROM docs ORDER BY id",
        'SELECT jsonb_path_query(\'{"a": [1, "s", {"k": true}, null]}\', \'$.a[*]\')',
        "SELECT * FROM jsonb_path_query('{\"a\": [1, 2]}', '$.a[*] ? (@ > 1)')",
        "SELECT v FROM jsonb_path_query('{\"a\": [1, 2]}', '$.a[*]') AS t(v) ORDER BY v",
        "SELECT id, body @? '$.who.name', body @? '$.scores[*] ? (@ > 4)', body @? '$.tags[5]' FROM docs ORDER BY id",
    ],
)
def test_path_queries_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def test_jsonb_functions_are_typed_jsonb_as_postgres(both):
    sql = "SELECT pg_typeof(jsonb_path_query_array('{}', '$')), pg_typeof(jsonb_build_object('a', 1))"
    lake, postgres = both.answers(sql)
    assert [str(v) for v in lake.rows[0]] == [str(v) for v in postgres.rows[0]] == ["jsonb", "jsonb"]
