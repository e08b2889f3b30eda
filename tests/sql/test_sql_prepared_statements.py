"""PREPARE, EXECUTE and DEALLOCATE as SQL commands (all were 0A000), over the wire as PostgreSQL 16
answers them: typed and untyped parameters, queries and writes with RETURNING, the command tags,
and PostgreSQL's errors (42P05 a name taken, 26000 none such, 42601 a wrong argument count, 42P01
at PREPARE for a table that does not exist)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE facts (id int PRIMARY KEY, body text, n int)",
    "INSERT INTO facts VALUES (1, 'one', 10), (2, 'two', 20)",
    "PREPARE by_id (int) AS SELECT id, body FROM facts WHERE id = $1",
    "PREPARE plus AS SELECT $1::int + $2::int AS total",
    "PREPARE remember (int, text) AS INSERT INTO facts VALUES ($1, $2, 0) RETURNING id, body",
    "PREPARE bump (int) AS UPDATE facts SET n = n + 1 WHERE id = $1",
]


@pytest.mark.parametrize(
    "sql",
    [
        "EXECUTE by_id(1)",
        "EXECUTE by_id('2')",
        "EXECUTE by_id(1 + 1)",
        "EXECUTE plus(40, 2)",
        "EXECUTE by_id(99)",
    ],
)
def test_execute_answers_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def test_writes_through_prepared_statements_as_postgres(both):
    for conn in (both.lake, both.postgres):
        inserted = conn.execute("EXECUTE remember(3, 'three')")
        assert (inserted.statusmessage, inserted.fetchall()) == ("INSERT 0 1", [(3, "three")])
        assert conn.execute("EXECUTE bump(3)").statusmessage == "UPDATE 1"
    lake, postgres = both.answers("SELECT * FROM facts ORDER BY id")
    assert lake.rows == postgres.rows


@pytest.mark.parametrize(
    "sql, sqlstate",
    [
        ("PREPARE by_id AS SELECT 1", "42P05"),
        ("EXECUTE nothing_here", "26000"),
        ("DEALLOCATE nothing_here", "26000"),
        ("EXECUTE by_id", "42601"),
        ("EXECUTE by_id(1, 2)", "42601"),
        ("EXECUTE by_id('x')", "22P02"),
        ("PREPARE reads_nothing AS SELECT * FROM missing", "42P01"),
        ("PREPARE housekeeping AS VACUUM", "42601"),
        ("PREPARE nested AS EXECUTE by_id(1)", "42601"),
    ],
)
def test_errors_as_postgres(both, sql, sqlstate):
    assert both.sqlstates(sql) == (sqlstate, sqlstate)


def test_deallocate_forgets(both):
    for conn in (both.lake, both.postgres):
        conn.execute("PREPARE short_lived AS SELECT 1")
        assert conn.execute("DEALLOCATE short_lived").statusmessage == "DEALLOCATE"
        conn.execute("PREPARE short_lived AS SELECT 2")  # the name is free again
        assert conn.execute("EXECUTE short_lived").fetchall() == [(2,)]
        assert conn.execute("DEALLOCATE PREPARE short_lived").statusmessage == "DEALLOCATE"
