"""A column's default, varchar length and generation expression follow it through RENAME COLUMN
(and generated columns computed from a renamed column keep computing), a column dropped and
added again under its name starts without them, and ADD COLUMN IF NOT EXISTS skips a column
that is there; compared with PostgreSQL 16."""

from __future__ import annotations

SETUP = [
    "CREATE TABLE facts (id int PRIMARY KEY, n int, g int GENERATED ALWAYS AS (n * 2) STORED, v varchar(3))",
    "ALTER TABLE facts ADD COLUMN extra int DEFAULT 7",
    "ALTER TABLE facts RENAME COLUMN extra TO extra2",
    "ALTER TABLE facts RENAME COLUMN n TO m",
    "ALTER TABLE facts RENAME COLUMN v TO w",
    "ALTER TABLE facts ALTER COLUMN extra2 SET NOT NULL",
    "INSERT INTO facts (id, m, w) VALUES (1, 5, 'abc')",
]


def test_renamed_columns_keep_their_facts(both):
    lake, postgres = both.answers("SELECT * FROM facts ORDER BY id")
    assert (
        (lake.names, lake.rows)
        == (postgres.names, postgres.rows)
        == (["id", "m", "g", "w", "extra2"], [(1, 5, 10, "abc", 7)])
    )
    assert both.sqlstates("INSERT INTO facts (id, w) VALUES (2, 'toolong')") == ("22001", "22001")
    query = "SELECT column_name, column_default FROM information_schema.columns WHERE table_name = 'facts' ORDER BY 1"
    lake, postgres = both.answers(query)
    assert lake.rows == postgres.rows


def test_a_column_added_again_starts_without_the_dropped_ones_default(both):
    for statement in (
        "CREATE TABLE again (id int PRIMARY KEY, x int DEFAULT 3)",
        "ALTER TABLE again DROP COLUMN x",
        "ALTER TABLE again ADD COLUMN x int",
        "INSERT INTO again (id) VALUES (1)",
    ):
        both.execute(statement)
    lake, postgres = both.answers("SELECT id, x FROM again")
    assert lake.rows == postgres.rows == [(1, None)]


def test_add_column_if_not_exists_skips_a_column_there(both):
    statement = "ALTER TABLE facts ADD COLUMN IF NOT EXISTS m text"
    assert both.sqlstates(statement) == (None, None)
    lake, postgres = both.answers("SELECT m FROM facts WHERE id = 1")
    assert (lake.type_oids, lake.rows) == (postgres.type_oids, postgres.rows) == ([23], [(5,)])
    assert both.sqlstates("ALTER TABLE facts ADD COLUMN m text") == ("42701", "42701")
