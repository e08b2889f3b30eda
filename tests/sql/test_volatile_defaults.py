"""A volatile column default (gen_random_uuid(), random(), nextval) gives each row a value of its
own, as PostgreSQL evaluates a default per row: a multi-row INSERT, an INSERT ... SELECT and ADD
COLUMN over rows already there (it gave every row of a statement the same uuid, so a uuid primary
key with that default failed on the second row); now() is one value per statement, and an
autocommit statement's own start (it was the session's)."""

from __future__ import annotations

SETUP = [
    "CREATE TABLE notes (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), weight float8 DEFAULT random(),"
    " at timestamptz DEFAULT now(), body text)",
]

_COUNTS = "SELECT count(*), count(DISTINCT id), count(DISTINCT weight), count(DISTINCT at) FROM notes"


def test_each_inserted_row_gets_its_own_value_as_postgres(both):
    both.execute("INSERT INTO notes (body) VALUES ('a'), ('b'), ('c')")
    both.execute("INSERT INTO notes (body) SELECT 'row ' || n FROM generate_series(1, 4) n")
    lake, postgres = both.answers(_COUNTS)
    assert lake.rows == postgres.rows == [(7, 7, 7, 2)]


def test_an_added_column_fills_each_row_as_postgres(both):
    both.execute("ALTER TABLE notes ADD COLUMN tag uuid DEFAULT gen_random_uuid()")
    both.execute("ALTER TABLE notes ADD COLUMN score float8 DEFAULT random()")
    sql = "SELECT count(*) = count(DISTINCT tag), count(*) = count(DISTINCT score) FROM notes"
    lake, postgres = both.answers(sql)
    assert lake.rows == postgres.rows == [(True, True)]


def test_now_as_a_default_is_each_autocommit_statements_time(both):
    """In autocommit each statement is its own transaction, so DEFAULT now() moves on between
    statements (it stayed at the session's start); within a transaction block it is the block's."""
    both.execute("CREATE TABLE stamped (n int, at timestamptz DEFAULT now())")
    both.execute("INSERT INTO stamped (n) VALUES (1)")
    both.execute("SELECT pg_sleep(0.01)")
    both.execute("INSERT INTO stamped (n) VALUES (2), (3)")
    sql = "SELECT count(DISTINCT at), min(at) < max(at), max(at) <= now() FROM stamped"
    lake, postgres = both.answers(sql)
    assert lake.rows == postgres.rows == [(2, True, True)]
