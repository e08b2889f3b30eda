"""Two output columns may share a name in PostgreSQL (``SELECT a, a``, ``SELECT 1, 2``); DataFusion
refuses that, so agentlake marks repeats while planning and clients must see PostgreSQL's names.
Each assertion runs against agentlake and PostgreSQL 16."""

from __future__ import annotations

import asyncio
import re
import uuid

import asyncpg
import psycopg
import pytest

from .reference_postgres import target  # noqa: F401 - fixture

CASES = [
    ("SELECT 1, 2", ["?column?", "?column?"], [(1, 2)]),
    ("SELECT 1 AS a, 2 AS a", ["a", "a"], [(1, 2)]),
    ("SELECT a, a FROM {t}", ["a", "a"], [(1, 1)]),
    ("SELECT {t}.a, x.a FROM {t}, {t} x", ["a", "a"], [(1, 1)]),
    ("SELECT a + 1, a + 1, count(*), count(*) FROM {t} GROUP BY a", ["?column?", "?column?", "count", "count"], None),
    ("SELECT m, m FROM {t}", ["m", "m"], [({"k": 1}, {"k": 1})]),
    ("SELECT a AS b, a AS b, a FROM {t} ORDER BY 1", ["b", "b", "a"], [(1, 1, 1)]),
]


@pytest.fixture
def table(target) -> str:
    name = f"names_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {name} (a int, m jsonb)")
        conn.execute(f"""INSERT INTO {name} VALUES (1, '{{"k": 1}}')""")
    return name


@pytest.mark.parametrize("query, names, rows", CASES, ids=[c[0] for c in CASES])
def test_psycopg_sees_repeated_names(target, table, query, names, rows):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        cursor = conn.execute(query.format(t=table))
        assert [d.name for d in cursor.description] == names
        assert rows is None or cursor.fetchall() == rows


def test_asyncpg_prepared_statement_describes_repeated_names(target, table):
    async def run():
        conn = await asyncpg.connect(**target.asyncpg)
        try:
            statement = await conn.prepare(f"SELECT a, a, m, m FROM {table} WHERE a = $1")
            described = [attribute.name for attribute in statement.get_attributes()]
            return described, [tuple(record) for record in await statement.fetch(1)]
        finally:
            await conn.close()

    described, rows = asyncio.run(run())
    assert described == ["a", "a", "m", "m"]
    assert rows == [(1, 1, '{"k": 1}', '{"k": 1}')]


def test_create_table_as_refuses_repeated_names(target, table):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        for query, name in ((f"SELECT a, a FROM {table}", "a"), ("SELECT 1, 2", "?column?")):
            with pytest.raises(
                psycopg.errors.DuplicateColumn, match=re.escape(f'column "{name}" specified more than once')
            ):
                conn.execute(f"CREATE TABLE copy_{uuid.uuid4().hex[:8]} AS {query}")
