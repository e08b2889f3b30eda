"""Subqueries PostgreSQL runs and DataFusion cannot plan as written: correlated scalar subqueries
returning a column, EXISTS and IN used as values, LATERAL subqueries (correlated by equalities, or
naming expressions of each row), and correlation inside a CTE (asyncpg's type introspection). Each query runs through psycopg on agentlake and on PostgreSQL 16; rows, column
names and errors must agree."""

from __future__ import annotations

import uuid

import psycopg
import pytest

SETUP = [
    "CREATE TABLE {t} (id int PRIMARY KEY, n text, k int)",
    "CREATE TABLE {u} (id int PRIMARY KEY, t_id int, v text, w int)",
    "INSERT INTO {t} VALUES (1, 'one', 10), (2, 'two', NULL), (3, 'three', 30), (4, 'four', 10)",
    "INSERT INTO {u} VALUES (1, 1, 'a', 5), (2, 1, 'b', 7), (3, 2, 'c', NULL), (4, NULL, 'd', 10), (5, 3, NULL, 30)",
]

QUERIES = {
    "scalar column": "SELECT id, (SELECT v FROM {u} WHERE {u}.id = {t}.id) FROM {t}",
    "scalar aliased outer": "SELECT a.id, (SELECT b.v FROM {u} b WHERE b.id = a.id) AS v FROM {t} a",
    "scalar order by limit 1": "SELECT id, (SELECT v FROM {u} WHERE {u}.t_id = {t}.id ORDER BY w DESC LIMIT 1) FROM {t}",
    "scalar limit 1 nulls first": "SELECT id, (SELECT w FROM {u} WHERE {u}.t_id = {t}.id ORDER BY w DESC LIMIT 1) FROM {t}",
    "scalar in where": "SELECT id FROM {t} WHERE n <> (SELECT v FROM {u} WHERE {u}.id = {t}.id)",
    "scalar in case": "SELECT id, CASE WHEN k > 5 THEN (SELECT v FROM {u} WHERE {u}.id = {t}.id) END FROM {t}",
    "scalar expression": "SELECT id, (SELECT w * 2 FROM {u} WHERE {u}.id = {t}.id) + 1 AS doubled FROM {t}",
    "exists value": "SELECT id, EXISTS (SELECT 1 FROM {u} WHERE {u}.t_id = {t}.id) FROM {t}",
    "not exists value": "SELECT id, NOT EXISTS (SELECT 1 FROM {u} WHERE {u}.t_id = {t}.id) AS lonely FROM {t}",
    "exists limit 0": "SELECT id, EXISTS (SELECT 1 FROM {u} WHERE {u}.t_id = {t}.id LIMIT 0) FROM {t}",
    "exists star value": "SELECT id, EXISTS (SELECT * FROM {u} WHERE {u}.t_id = {t}.id) FROM {t}",
    "exists star uncorrelated": "SELECT EXISTS (SELECT * FROM {u} WHERE w > 6) AS some, EXISTS (SELECT {u}.* FROM {u} WHERE false)",
    "in value with nulls": "SELECT id, k IN (SELECT w FROM {u}) FROM {t}",
    "in value without nulls": "SELECT id, k IN (SELECT w FROM {u} WHERE w IS NOT NULL) FROM {t}",
    "not in value": "SELECT id, id NOT IN (SELECT t_id FROM {u}) FROM {t}",
    "in value same table": "SELECT id, id IN (SELECT id FROM {t} WHERE n LIKE 't%') FROM {t}",
    "in value correlated": "SELECT id, 'a' IN (SELECT v FROM {u} WHERE {u}.t_id = {t}.id) FROM {t}",
    "in empty": "SELECT 1 IN (SELECT w FROM {u} WHERE false) AS a, NULL::int IN (SELECT w FROM {u} WHERE false) AS b",
    "null in nonempty": "SELECT NULL::int IN (SELECT w FROM {u})",
    "correlated recursive cte": (
        "SELECT id, (WITH RECURSIVE chain(x, d) AS ("
        "SELECT {u}.w, 0 FROM {u} WHERE {u}.t_id = {t}.id "
        "UNION ALL SELECT c.x + 1, c.d + 1 FROM chain c WHERE c.d < 2"
        ") SELECT x FROM chain ORDER BY d DESC, x LIMIT 1) AS deepest FROM {t}"
    ),
    "correlated plain cte": (
        "SELECT id, (WITH mine AS (SELECT v, w FROM {u} WHERE {u}.t_id = {t}.id) "
        "SELECT v FROM mine ORDER BY w LIMIT 1) AS first FROM {t}"
    ),
    "array of correlated rows in order": (
        "SELECT id, ARRAY(SELECT v FROM {u} WHERE {u}.t_id = {t}.id ORDER BY w DESC) FROM {t}"
    ),
    "array of no rows": "SELECT ARRAY(SELECT v FROM {u} WHERE false) AS nothing",
    "array with limit": "SELECT ARRAY(SELECT id FROM {u} ORDER BY id DESC LIMIT 2) AS last_two",
    "any of a subquery": "SELECT id FROM {t} WHERE id = ANY (SELECT t_id FROM {u} WHERE w > 6)",
    "all of a subquery": "SELECT id FROM {t} WHERE id <> ALL (SELECT t_id FROM {u} WHERE t_id IS NOT NULL)",
    "any of a subquery as a value": "SELECT id, id = ANY (SELECT t_id FROM {u}) AS listed FROM {t}",
    "left join lateral latest": (
        "SELECT {t}.id, last.v FROM {t} LEFT JOIN LATERAL "
        "(SELECT v FROM {u} WHERE {u}.t_id = {t}.id ORDER BY {u}.id DESC LIMIT 1) last ON true"
    ),
    "cross join lateral top two": (
        "SELECT {t}.id, top.v, top.w FROM {t} CROSS JOIN LATERAL "
        "(SELECT v, w FROM {u} WHERE {u}.t_id = {t}.id ORDER BY w DESC NULLS LAST LIMIT 2) top"
    ),
    "comma lateral with column names": (
        "SELECT a.id, l.text_value FROM {t} a, LATERAL (SELECT b.v FROM {u} b WHERE a.id = b.t_id) AS l(text_value)"
    ),
    "left join lateral with a condition": (
        "SELECT {t}.id, l.w FROM {t} LEFT JOIN LATERAL "
        "(SELECT w FROM {u} WHERE {u}.t_id = {t}.id AND w IS NOT NULL) l ON l.w > 6"
    ),
    "names": "SELECT (SELECT count(*) FROM {u}), EXISTS (SELECT 1), (SELECT v AS named FROM {u} WHERE id = 1)",
    "lateral naming expressions": (
        "SELECT a.id, x.doubled, x.label FROM {t} a, LATERAL (SELECT a.k * 2 AS doubled, upper(a.n) AS label) x"
        " WHERE x.doubled > 0 ORDER BY x.label"
    ),
    "cross join lateral expressions with column names": (
        "SELECT a.n, x.v FROM {t} a CROSS JOIN LATERAL (SELECT coalesce(a.k, -1) + a.id) AS x(v) ORDER BY x.v, a.n"
    ),
    "left join lateral expressions grouped": (
        "SELECT x.tens, count(*) FROM {t} a LEFT JOIN LATERAL (SELECT a.k / 10 AS tens) x ON true"
        " GROUP BY x.tens ORDER BY x.tens"
    ),
}


def _names() -> dict[str, str]:
    suffix = uuid.uuid4().hex[:8]
    return {"t": f"outer_{suffix}", "u": f"inner_{suffix}"}


@pytest.fixture(scope="module")
def reference(postgres_server):
    names = _names()
    conn = psycopg.connect(postgres_server.get_uri(), autocommit=True)
    for statement in SETUP:
        conn.execute(statement.format(**names))
    yield conn, names
    conn.execute("DROP TABLE {t}, {u}".format(**names))
    conn.close()


@pytest.fixture
def lake(server):
    names = _names()
    conn = psycopg.connect(server.dsn(), autocommit=True)
    for statement in SETUP:
        conn.execute(statement.format(**names))
    yield conn, names
    conn.close()


def _answer(conn: psycopg.Connection, names: dict[str, str], query: str):
    cursor = conn.execute(query.format(**names))
    return [d.name for d in cursor.description], sorted(cursor.fetchall(), key=repr)


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_same_answer_as_postgres(query, lake, reference):
    assert _answer(*lake, query) == _answer(*reference, query)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT id, (SELECT v FROM {u} WHERE {u}.t_id = {t}.id) FROM {t}",
        "SELECT id FROM {t} WHERE n = (SELECT v FROM {u} WHERE {u}.t_id = {t}.id)",
    ],
)
def test_more_than_one_row_is_an_error(query, lake, reference):
    for conn, names in (lake, reference):
        with pytest.raises(psycopg.errors.CardinalityViolation) as raised:
            conn.execute(query.format(**names))
        assert str(raised.value).startswith("more than one row returned by a subquery used as an expression")
    lake[0].execute("SELECT 1")  # the connection is still usable
