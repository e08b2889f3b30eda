"""Enum types (CREATE TYPE ... AS ENUM) as PostgreSQL 16 answers them, compared over the wire:
values sort, compare and aggregate in the type's label order; text that is no label is 22P02; the
DDL's errors carry PostgreSQL's SQLSTATEs. (The types' oids are PostgreSQL's own choice, so rows and
names are compared here, and pg_catalog's view of the types is tested in tests/server.)"""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
    "CREATE TABLE person (name text PRIMARY KEY, current_mood mood, previous mood)",
    "INSERT INTO person VALUES ('Moe', 'happy', 'sad'), ('Larry', 'sad', NULL), ('Curly', 'ok', 'happy'),"
    " ('Shemp', NULL, 'ok')",
    "CREATE TABLE defaults (id int, m mood DEFAULT 'ok')",
    "INSERT INTO defaults (id) VALUES (1)",
    "CREATE TABLE copied AS SELECT * FROM person",
    "CREATE TABLE retyped (id int, m text)",
    "INSERT INTO retyped VALUES (1, 'happy'), (2, 'sad')",
    "ALTER TABLE retyped ALTER COLUMN m TYPE mood USING m::mood",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT name, current_mood FROM person ORDER BY current_mood, name",
        "SELECT name FROM person ORDER BY current_mood DESC NULLS LAST, name",
        "SELECT name, current_mood AS m FROM person ORDER BY m, name",
        "SELECT current_mood, count(*) FROM person GROUP BY current_mood ORDER BY 1",
        "SELECT name FROM person WHERE current_mood > 'sad' ORDER BY name",
        "SELECT name FROM person WHERE current_mood <= 'ok' ORDER BY name",
        "SELECT name FROM person WHERE current_mood BETWEEN 'ok' AND 'happy' ORDER BY name",
        "SELECT name FROM person WHERE current_mood < previous ORDER BY name",
        "SELECT name FROM person WHERE current_mood = 'ok'",
        "SELECT name FROM person WHERE current_mood IN ('sad', 'happy') ORDER BY name",
        "SELECT name FROM person WHERE current_mood = previous OR current_mood IS NULL ORDER BY name",
        "SELECT max(current_mood), min(current_mood) FROM person",
        "SELECT current_mood::text || '!' AS t FROM person ORDER BY 1",
        "SELECT 'happy'::mood > 'sad'::mood AS later, 'ok'::mood AS m",
        "SELECT enum_range(NULL::mood)::text AS r, enum_first(NULL::mood) AS f, enum_last(NULL::mood) AS l",
        "SELECT enum_range('ok'::mood, NULL)::text AS r, enum_range(NULL, 'ok'::mood)::text AS s",
        "SELECT name, previous::text::mood AS p FROM person ORDER BY name",
        "SELECT pg_typeof('happy'::mood) AS a, pg_typeof(current_mood) AS b FROM person LIMIT 1",
        "SELECT id, m FROM defaults",
        "SELECT name FROM copied ORDER BY current_mood, name",
        "SELECT id FROM retyped ORDER BY m",
        "SELECT current_mood, count(*) FROM (SELECT current_mood FROM person) s GROUP BY 1 ORDER BY current_mood",
        "SELECT name, row_number() OVER (ORDER BY current_mood DESC) AS r FROM person ORDER BY name",
        "SELECT array_agg(name ORDER BY current_mood, name)::text AS a FROM person",
    ],
)
def test_enum_values_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO person VALUES ('x', 'angry', NULL)",
        "UPDATE person SET current_mood = 'angry' WHERE name = 'Moe'",
        "SELECT name FROM person WHERE current_mood = 'angry'",
        "SELECT name FROM person WHERE current_mood > 'angry'",
        "SELECT name FROM person WHERE current_mood IN ('sad', 'angry')",
        "SELECT 'angry'::mood",
        "SELECT name::mood FROM person",
        "CREATE TYPE mood AS ENUM ('x')",
        "CREATE TYPE person AS ENUM ('x')",
        "CREATE TABLE mood (a int)",
        "CREATE TYPE twice AS ENUM ('a', 'a')",
        "CREATE TYPE long AS ENUM ('" + "a" * 64 + "')",
        "CREATE TABLE t (m nosuchtype)",
        "DROP TYPE mood",
        "DROP TYPE nosuchtype",
        "ALTER TYPE mood ADD VALUE 'ok'",
        "ALTER TYPE mood ADD VALUE 'meh' BEFORE 'nosuchlabel'",
        "ALTER TYPE mood RENAME VALUE 'nosuchlabel' TO 'x'",
        "ALTER TYPE mood RENAME VALUE 'ok' TO 'sad'",
        "ALTER TYPE nosuchtype ADD VALUE 'x'",
        "INSERT INTO copied VALUES ('x', 'angry', NULL)",
        "INSERT INTO retyped VALUES (3, 'angry')",
        "CREATE TABLE bad_default (m mood DEFAULT 'angry')",
        "ALTER TABLE defaults ALTER COLUMN id TYPE mood USING 'angry'",
        "ALTER TABLE person ALTER COLUMN name TYPE mood USING name::mood",
        "SELECT 'x'::nosuchtype",
        "INSERT INTO person VALUES ('y', 1, NULL)",
        "UPDATE person SET current_mood = 2",
    ],
)
def test_enum_errors_as_postgres(both, sql):
    lake, postgres = both.sqlstates(sql)
    assert lake == postgres is not None


def test_the_rows_survive_the_errors(both):
    lake, postgres = both.answers("SELECT name, current_mood FROM person ORDER BY name")
    assert lake.rows == postgres.rows and len(lake.rows) == 4


def test_altering_the_type_as_postgres(both):
    """ADD VALUE places the label (before, after or last), RENAME VALUE renames stored values too,
    RENAME TO keeps the columns on the renamed type, DROP ... CASCADE drops its columns."""
    for sql in [
        "CREATE TYPE size AS ENUM ('s', 'l')",
        "CREATE TABLE shirt (id int, sz size)",
        "INSERT INTO shirt VALUES (1, 'l'), (2, 's')",
        "ALTER TYPE size ADD VALUE 'm' AFTER 's'",
        "ALTER TYPE size ADD VALUE 'xs' BEFORE 's'",
        "ALTER TYPE size ADD VALUE IF NOT EXISTS 'm'",
        "ALTER TYPE size ADD VALUE 'xl'",
        "INSERT INTO shirt VALUES (3, 'm'), (4, 'xs'), (5, 'xl')",
        "ALTER TYPE size RENAME VALUE 'l' TO 'large'",
        "ALTER TYPE size RENAME TO shirt_size",
    ]:
        both.execute(sql)
    for sql in [
        "SELECT id, sz FROM shirt ORDER BY sz",
        "SELECT enum_range(NULL::shirt_size)::text AS r",
        "SELECT id FROM shirt WHERE sz >= 'm' ORDER BY id",
    ]:
        lake, postgres = both.answers(sql)
        assert (lake.names, lake.rows) == (postgres.names, postgres.rows)
    assert both.sqlstates("INSERT INTO shirt VALUES (6, 'l')") == ("22P02", "22P02")
    assert both.sqlstates("DROP TYPE shirt_size") == ("2BP01", "2BP01")
    both.execute("DROP TYPE IF EXISTS nosuchtype, shirt_size CASCADE")
    lake, postgres = both.answers("SELECT * FROM shirt ORDER BY id")
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows) == (["id"], [(1,), (2,), (3,), (4,), (5,)])
