"""Output columns may share a name, as in PostgreSQL 16: a star beside columns it also gives
(``SELECT *, x``), repeated RETURNING items, and aggregates whose arguments differ only by a cast
(``sum(n), sum(n::float8)``, XX000) were refused by DataFusion's unique-name rule; RETURNING items
are named as PostgreSQL names them (``?column?``, the function's name)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE notes (id int PRIMARY KEY, body text, meta jsonb, n int)",
    """INSERT INTO notes VALUES (1, 'a', '{"k": 1}', 5), (2, 'b', NULL, 7)""",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT *, body FROM notes ORDER BY id",
        "SELECT id, *, meta FROM notes ORDER BY id",
        "SELECT notes.*, n AS body FROM notes ORDER BY n",
        "SELECT *, n * 2, n * 3 FROM notes ORDER BY id",
    ],
)
def test_star_beside_its_own_columns_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO notes VALUES (3, 'c', '{\"k\": 3}', 9) RETURNING id, *, meta->>'k', n * 2, upper(body), n AS z, body AS z",
        "UPDATE notes SET n = n + 1 WHERE id = 3 RETURNING n, n + 1, length(body), *",
        "DELETE FROM notes WHERE id = 3 RETURNING body, id, body",
    ],
)
def test_returning_names_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT max(n), max(n::text), sum(n), sum(n::float8), avg(n::float8) FROM notes",
        "SELECT count(body), count(body::varchar), min(id), min(id::numeric(6, 1)) FROM notes",
        "SELECT n % 2 AS odd, max(n), max(n::text) FROM notes GROUP BY 1 ORDER BY 1",
        "SELECT max(n) FROM notes HAVING max(n::text) > '0'",
    ],
)
def test_aggregates_differing_by_a_cast_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM (SELECT 1) s",
        "SELECT * FROM (SELECT 1, 1) s",
        "SELECT * FROM (SELECT count(*), max(body), n + 1 FROM notes GROUP BY n) s ORDER BY 1",
        "SELECT s.count, s.upper FROM (SELECT count(*), upper(body) FROM notes GROUP BY body) s ORDER BY 2",
        "WITH stats AS (SELECT count(*), max(n) FROM notes) SELECT stats.count, stats.max FROM stats",
        "WITH pairs(a, b) AS (SELECT 1, 1) SELECT * FROM pairs",
        "WITH RECURSIVE fib(a, b, k) AS (SELECT 0, 1, 1 UNION ALL SELECT b, a + b, k + 1 FROM fib WHERE k < 10)"
        " SELECT a FROM fib ORDER BY k DESC LIMIT 1",
    ],
)
def test_derived_tables_and_ctes_have_postgres_column_names(both, sql):
    """A derived table's or CTE's columns are named as PostgreSQL names them (``count``, not
    ``count(*)``, ``?column?`` for a constant), and two of one name no longer fail (XX000)."""
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
