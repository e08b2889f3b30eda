"""Statement forms as PostgreSQL 16 runs them, where agentlake refused or misread them: ON CONFLICT
ON CONSTRAINT (ignored, so the insert failed with 23505), SELECT ... INTO (the INTO was ignored),
DROP COLUMN IF EXISTS of a missing column (42703), ALTER TABLE IF EXISTS of a missing table (42P01), integer constants in a select list or a VALUES
list (sent as bigint), a row IN a subquery (XX000), substring(s FROM 'regex') (42883) and a quoted
end of a timestamp generate_series (XX000)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL, name text, CONSTRAINT email_unique UNIQUE (email))",
    "INSERT INTO people VALUES (1, 'a@x', 'A'), (2, 'b@x', 'B')",
]

IN_ORDER = [
    # (statement, whether it returns rows to compare)
    (
        "INSERT INTO people VALUES (3, 'a@x', 'A2') ON CONFLICT ON CONSTRAINT email_unique"
        " DO UPDATE SET name = EXCLUDED.name RETURNING id, name",
        True,
    ),
    ("INSERT INTO people VALUES (1, 'z@x', 'Z') ON CONFLICT ON CONSTRAINT people_pkey DO NOTHING RETURNING id", True),
    ("INSERT INTO people VALUES (4, 'b@x', 'B2') ON CONFLICT ON CONSTRAINT email_unique DO NOTHING RETURNING id", True),
    ("SELECT id, email, name INTO copied FROM people WHERE id < 3", False),
    ("SELECT * FROM copied ORDER BY id", True),
    ("ALTER TABLE copied DROP COLUMN IF EXISTS nothing", False),
    ("ALTER TABLE copied DROP COLUMN IF EXISTS name", False),
    ("ALTER TABLE IF EXISTS nowhere ADD COLUMN lost int", False),
    ("ALTER TABLE IF EXISTS copied ADD COLUMN found int", False),
    ("SELECT * FROM copied ORDER BY id", True),
    (
        "SELECT 1, 1 AS one, -5, 3000000000 AS big, CASE WHEN id > 1 THEN 1 ELSE 0 END AS flag FROM people ORDER BY id",
        True,
    ),
    ("SELECT CASE WHEN id = 1 THEN 7 END, id FROM people ORDER BY id", True),
    ("SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (NULL, 'c')) v(n, s) ORDER BY s", True),
    ("SELECT x, count(*) FROM (VALUES (1), (1), (2)) v(x) GROUP BY x ORDER BY x", True),
    ("SELECT id FROM people WHERE (id, email) IN (SELECT id, email FROM people WHERE id < 3) ORDER BY id", True),
    ("SELECT substring(email from '^[a-z]+'), substring('a1b2' from '([a-z])([0-9])') FROM people ORDER BY id", True),
    ("SELECT d::date FROM generate_series('2026-01-01'::timestamp, '2026-01-03', '1 day') AS d", True),
]


def test_statement_forms_as_postgres(both):
    for sql, returns_rows in IN_ORDER:
        if not returns_rows:
            assert both.sqlstates(sql) == (None, None), sql
            continue
        lake, postgres = both.answers(sql)
        assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows), sql


@pytest.mark.parametrize(
    "sql, sqlstate",
    [
        ("INSERT INTO people VALUES (9, 'q') ON CONFLICT ON CONSTRAINT nope DO NOTHING", "42704"),
        ("DELETE people", "42601"),
        ("SELECT 1 INTO people", "42P07"),
    ],
)
def test_refusals_as_postgres(both, sql, sqlstate):
    assert both.sqlstates(sql) == (sqlstate, sqlstate)


def test_materialized_views_are_refused_clearly(both):
    """PostgreSQL creates it; agentlake says so with 0A000 (it was 22023, 'unrecognized parameter')."""
    lake, postgres = both.sqlstates("CREATE MATERIALIZED VIEW counted AS SELECT count(*) FROM people")
    assert (lake, postgres) == ("0A000", None)
    assert both.sqlstates("SELECT * FROM counted") == ("42P01", None)


def test_not_in_of_a_row_and_a_subquery_is_refused_clearly(both):
    sql = "SELECT id FROM people WHERE NOT (id, email) IN (SELECT id, email FROM people)"
    assert both.sqlstates(sql) == ("0A000", None)


@pytest.mark.parametrize(
    "sql, sqlstate",
    [
        ("SELECT '1e400'::float8", "22003"),
        ("SELECT 1e39::real", "22003"),
        ("SELECT substr('abc', 0, -1)", "22011"),
        ("SELECT id FROM people ORDER BY 5", "42P10"),
        ("SELECT DISTINCT id FROM people ORDER BY name", "42P10"),
        ("RELEASE SAVEPOINT nothing", "25P01"),
        ("ROLLBACK TO SAVEPOINT nothing", "25P01"),
        ("SELECT 'a' ~ '('", "2201B"),
        ("SELECT regexp_replace(name, '[', 'b') FROM people", "2201B"),
        ("SELECT id + 'a' FROM people", "22P02"),
    ],
)
def test_error_codes_as_postgres(both, sql, sqlstate):
    assert both.sqlstates(sql) == (sqlstate, sqlstate)


def test_quoted_constants_beside_integers_read_as_integers(both):
    lake, postgres = both.answers("SELECT id + '1', '2' * 3, 7 / '2' FROM people ORDER BY id")
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
