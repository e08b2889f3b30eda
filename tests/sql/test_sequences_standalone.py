"""Standalone sequences (CREATE, ALTER and DROP SEQUENCE) as PostgreSQL 16 answers them: nextval,
currval, setval and lastval through their options (INCREMENT, START, MINVALUE, MAXVALUE, CYCLE, AS
type), RESTART, RENAME and OWNED BY, a column default of nextval, the catalogs' rows for them, and
PostgreSQL's errors (22023 for bad options, 2200H past a bound, 42P07 and 42P01). Each case runs
on both from a fresh sequence, so the counters compare."""

from __future__ import annotations

import itertools

import pytest

SETUP = ["CREATE TABLE owner_table (id int PRIMARY KEY, n int)"]

_names = itertools.count()


def _fresh(both, ddl: str) -> str:
    """Create the sequence ``ddl`` describes ({} is its name) on both; its name."""
    name = f"seq_{next(_names)}"
    both.execute(ddl.format(name))
    return name


@pytest.mark.parametrize(
    ("ddl", "calls"),
    [
        ("CREATE SEQUENCE {}", ["nextval", "nextval", "currval"]),
        ("CREATE SEQUENCE {} START 10 INCREMENT BY 5", ["nextval", "nextval", "nextval"]),
        ("CREATE SEQUENCE {} INCREMENT -2", ["nextval", "nextval"]),
        ("CREATE SEQUENCE {} MINVALUE 1 MAXVALUE 3 CYCLE", ["nextval"] * 5),
        ("CREATE SEQUENCE {} INCREMENT -1 MINVALUE 1 MAXVALUE 2 START 2 CYCLE", ["nextval"] * 4),
        ("CREATE SEQUENCE IF NOT EXISTS {} AS integer NO MINVALUE NO MAXVALUE NO CYCLE CACHE 20", ["nextval"]),
        ("CREATE SEQUENCE public.{} START WITH 0 MINVALUE -5", ["nextval", "nextval"]),
    ],
)
def test_values_as_postgres(both, ddl, calls):
    name = _fresh(both, ddl)
    sql = "SELECT " + ", ".join(f"{call}('{name}')" for call in calls) + ", lastval()"
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def test_setval_and_restart_as_postgres(both):
    name = _fresh(both, "CREATE SEQUENCE {} INCREMENT 3")
    steps = [
        f"SELECT setval('{name}', 20), nextval('{name}')",
        f"SELECT setval('{name}', 50, false), nextval('{name}'), currval('{name}')",
        f"ALTER SEQUENCE {name} RESTART",
        f"SELECT nextval('{name}')",
        f"ALTER SEQUENCE {name} RESTART WITH 7 INCREMENT 10",
        f"SELECT nextval('{name}'), nextval('{name}')",
    ]
    for sql in steps:
        if sql.startswith("ALTER"):
            both.execute(sql)
            continue
        lake, postgres = both.answers(sql)
        assert lake.rows == postgres.rows, sql


def test_rename_owned_by_and_drop_as_postgres(both):
    name = _fresh(both, "CREATE SEQUENCE {} OWNED BY owner_table.id")
    both.execute(f"SELECT nextval('{name}')")
    both.execute(f"ALTER SEQUENCE {name} RENAME TO {name}_renamed")
    lake, postgres = both.answers(f"SELECT nextval('{name}_renamed')")
    assert lake.rows == postgres.rows == [(2,)]
    assert both.sqlstates(f"SELECT nextval('{name}')") == ("42P01", "42P01")
    both.execute(f"ALTER SEQUENCE {name}_renamed OWNED BY NONE")
    both.execute(f"DROP SEQUENCE {name}_renamed")
    assert both.sqlstates(f"SELECT nextval('{name}_renamed')") == ("42P01", "42P01")


def test_dropping_the_owning_table_drops_the_sequence(both):
    both.execute("CREATE TABLE owned_rows (id int)")
    name = _fresh(both, "CREATE SEQUENCE {} OWNED BY owned_rows.id")
    both.execute("DROP TABLE owned_rows")
    assert both.sqlstates(f"SELECT nextval('{name}')") == ("42P01", "42P01")


def test_a_default_of_nextval_numbers_each_row(both):
    name = _fresh(both, "CREATE SEQUENCE {} START 100")
    both.execute(f"CREATE TABLE numbered (id bigint DEFAULT nextval('{name}') PRIMARY KEY, body text)")
    both.execute("INSERT INTO numbered (body) VALUES ('a'), ('b')")
    both.execute("INSERT INTO numbered (body) VALUES ('c')")
    lake, postgres = both.answers("SELECT id, body FROM numbered ORDER BY id")
    assert lake.rows == postgres.rows == [(100, "a"), (101, "b"), (102, "c")]


def test_catalogs_list_them_as_postgres(both):
    name = _fresh(both, "CREATE SEQUENCE {} AS smallint INCREMENT 2 START 4 MAXVALUE 90 CYCLE")
    sql = (
        "SELECT c.relname, c.relkind, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmax,"
        " s.seqmin, s.seqcycle FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid"
        f" WHERE c.relname = '{name}'"
    )
    lake, postgres = both.answers(sql)
    assert lake.rows == postgres.rows


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE SEQUENCE {} INCREMENT 0",
        "CREATE SEQUENCE {} MINVALUE 10 MAXVALUE 5",
        "CREATE SEQUENCE {} START 0",
        "CREATE SEQUENCE {} MAXVALUE 10 START 11",
        "CREATE SEQUENCE {} AS smallint MAXVALUE 100000",
        "CREATE SEQUENCE {} AS text",
        "CREATE SEQUENCE {} CACHE 0",
        "CREATE SEQUENCE {} OWNED BY no_such_table.id",
        "CREATE SEQUENCE {} OWNED BY owner_table.nope",
    ],
)
def test_bad_definitions_as_postgres(both, sql):
    name = f"bad_{next(_names)}"
    lake, postgres = both.errors(sql.format(name))
    assert postgres is not None and lake == postgres


def test_errors_of_use_as_postgres(both):
    name = _fresh(both, "CREATE SEQUENCE {} MAXVALUE 2")
    both.execute(f"SELECT nextval('{name}'), nextval('{name}')")
    for sql in (
        f"SELECT nextval('{name}')",
        f"SELECT setval('{name}', 5)",
        f"CREATE SEQUENCE {name}",
        "SELECT nextval('no_such_sequence')",
        "DROP SEQUENCE no_such_sequence",
        "ALTER SEQUENCE no_such_sequence RESTART",
    ):
        lake, postgres = both.errors(sql)
        assert postgres is not None and lake == postgres, sql
    fresh = _fresh(both, "CREATE SEQUENCE {}")
    lake, postgres = both.errors(f"SELECT currval('{fresh}')")
    assert lake == postgres and postgres[0] == "55000"


def test_information_schema_lists_every_sequence_as_postgres(both):
    both.execute("CREATE TABLE counted (id serial PRIMARY KEY, small smallserial)")
    name = _fresh(both, "CREATE SEQUENCE {} AS integer INCREMENT -3 CYCLE")
    sql = (
        "SELECT sequence_schema, sequence_name, data_type, numeric_precision, numeric_precision_radix,"
        " numeric_scale, start_value, minimum_value, maximum_value, increment, cycle_option"
        " FROM information_schema.sequences"
        f" WHERE sequence_name IN ('{name}', 'counted_id_seq', 'counted_small_seq') ORDER BY sequence_name"
    )
    lake, postgres = both.answers(sql)
    assert lake.rows == postgres.rows
