"""UPDATE's and ON CONFLICT DO UPDATE's SET lists as PostgreSQL 16 reads them: a column assigned
twice is 42601 (not the last assignment winning), ``SET (a, b) = (x, y)`` assigns each, and an
INSERT column list naming a column twice is 42701. Each statement runs through the Python API and
on PostgreSQL; the outcome (rows afterwards, or SQLSTATE and message) must agree."""

from __future__ import annotations

import uuid

import psycopg
import pytest

import agentlake

STATEMENTS = [
    "UPDATE {t} SET n = 'a', n = 'b' WHERE id = 1",
    "UPDATE {t} SET N = 'a', \"n\" = 'b' WHERE id = 1",
    "UPDATE {t} SET nope = 1, n = 'a', n = 'b'",
    "UPDATE {t} SET n = 'a', n = 'b', nope = 1",
    "UPDATE {t} SET (n, n) = ('a', 'b')",
    "UPDATE {t} SET (n, m) = ('a', 2), m = 3",
    "UPDATE {t} SET (n, m) = ('a', 2, 3)",
    "UPDATE {t} SET (n, m) = ('q', 7) WHERE id = 1",
    "INSERT INTO {t} VALUES (1, 'y', 2) ON CONFLICT (id) DO UPDATE SET n = 'a', n = 'b'",
    "INSERT INTO {t} VALUES (1, 'y', 2) ON CONFLICT (id) DO UPDATE SET m = 1, m = excluded.m",
    "INSERT INTO {t} VALUES (1, 'y', 2) ON CONFLICT (id) DO UPDATE SET nope = 1",
    "INSERT INTO {t} VALUES (1, 'y', 2) ON CONFLICT (id) DO UPDATE SET (n, m) = (excluded.n, {t}.m + 10)",
    "INSERT INTO {t} (n, n) VALUES ('a', 'b')",
]


@pytest.fixture
def reference(postgres_server):
    table = f"set_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_server.get_uri(), autocommit=True) as conn:
        yield conn, table
        conn.execute(f"DROP TABLE IF EXISTS {table}")


def outcome(run, table: str, sql: str) -> tuple:
    try:
        run(sql.format(t=table))
    except (agentlake.Error, psycopg.Error) as err:
        sqlstate = err.sqlstate
        message = err.diag.message_primary if isinstance(err, psycopg.Error) else str(err)
        return ("error", sqlstate, message)
    return ("rows", sorted(run(f"SELECT id, n, m FROM {table}")))


@pytest.mark.parametrize("sql", STATEMENTS)
def test_set_lists_answer_as_postgresql(lake, reference, sql):
    conn, table = reference
    setup = [f"CREATE TABLE {table} (id int PRIMARY KEY, n text, m int)", f"INSERT INTO {table} VALUES (1, 'x', 1)"]
    for statement in setup:
        conn.execute(statement)
        lake.execute(statement)

    def on_postgres(text: str):
        cur = conn.execute(text)
        return cur.fetchall() if cur.description else None

    def on_lake(text: str):
        cur = lake.execute(text)
        return cur.fetchall() if cur.description else None

    assert outcome(on_lake, table, sql) == outcome(on_postgres, table, sql)


def test_repeated_assignment_names_the_column(lake):
    lake.execute("CREATE TABLE t (id int PRIMARY KEY, n text)")
    lake.execute("INSERT INTO t VALUES (1, 'x')")
    with pytest.raises(agentlake.Error) as caught:
        lake.execute("UPDATE t SET n = 'a', n = 'b' WHERE id = 1")
    assert (caught.value.sqlstate, str(caught.value)) == ("42601", 'multiple assignments to same column "n"')
    assert lake.execute("SELECT n FROM t").fetchall() == [("x",)]
