"""Errors point where PostgreSQL points (the P field psql turns into ``LINE 1:`` and a caret), for
names the planner cannot resolve; the same statements run against agentlake and PostgreSQL 16."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from .reference_postgres import target  # noqa: F401 - fixture

STATEMENTS = [
    "SELECT nocol FROM {t}",
    "SELECT {t}.nocol FROM {t}",
    "SELECT id FROM {t} WHERE\n  missing > 1",
    "SELECT * FROM nosuch_relation",
    "SELECT id, count(*) FROM {t}",
    "SELECT 1 +",
]


@pytest.fixture
def table(target) -> str:
    name = f"errors_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, n text)")
    return name


@pytest.mark.parametrize("statement", STATEMENTS)
def test_error_points_where_postgres_points(target, table, statement):
    sql = statement.format(t=table)
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        with pytest.raises(psycopg.Error) as raised:
            conn.execute(sql)
    diag = raised.value.diag
    expected_position = {
        "SELECT nocol FROM {t}": 8,
        "SELECT {t}.nocol FROM {t}": 8,
        "SELECT id FROM {t} WHERE\n  missing > 1": len(f"SELECT id FROM {table} WHERE\n  ") + 1,
        "SELECT * FROM nosuch_relation": 15,
        "SELECT id, count(*) FROM {t}": 8,
        "SELECT 1 +": 11,
    }[statement]
    assert int(diag.statement_position) == expected_position


def test_unknown_function_has_postgres_hint_and_position(target):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.UndefinedFunction) as raised:
            conn.execute("SELECT 1, no_such_function(1)")
    assert raised.value.diag.statement_position == "11"
    assert raised.value.diag.message_hint == (
        "No function matches the given name and argument types. You might need to add explicit type casts."
    )
