"""MERGE as PostgreSQL 16 runs it: the first WHEN clause whose kind and condition hold acts on each
source row; UPDATE, DELETE, INSERT (with a column list or without, DEFAULT values, DEFAULT VALUES)
and DO NOTHING; sources that are tables, subqueries, VALUES and CTEs; constraints, defaults and
generated columns as the statement each clause stands for checks them; the command tag's count;
21000 for a target row two source rows would change; a failed MERGE writing nothing; bound
parameters over the wire, asyncpg's included. Compared with PostgreSQL 16 (pgserver)."""

from __future__ import annotations

import asyncio

import asyncpg
import psycopg
import pytest

SETUP = [
    "CREATE TABLE stock (id serial PRIMARY KEY, name text NOT NULL, qty int DEFAULT 0 CHECK (qty >= 0),"
    " tag varchar(5), twice int GENERATED ALWAYS AS (qty * 2) STORED)",
    "INSERT INTO stock (name, qty) VALUES ('apple', 10), ('pear', 5), ('plum', 1)",
    "CREATE TABLE delivery (id int, name text, qty int)",
    "INSERT INTO delivery VALUES (1, 'apple', 3), (3, 'plum', -1), (7, 'kiwi', 7), (8, 'fig', 0), (NULL, 'lost', 2)",
]


def _status_and_rows(conn: psycopg.Connection, sql: str, params=None) -> tuple[str, list[tuple]]:
    status = conn.execute(sql, params).statusmessage
    return status, conn.execute("SELECT * FROM stock ORDER BY id").fetchall()


def _same_on_both(both, sql: str, params=None) -> tuple[str, list[tuple]]:
    lake = _status_and_rows(both.lake, sql, params)
    assert lake == _status_and_rows(both.postgres, sql, params), sql
    return lake


@pytest.mark.parametrize(
    "sql",
    [
        "MERGE INTO stock t USING delivery d ON t.id = d.id"
        " WHEN MATCHED AND d.qty < 0 THEN DELETE"
        " WHEN MATCHED THEN UPDATE SET qty = t.qty + d.qty, tag = 'got'"
        " WHEN NOT MATCHED AND d.qty > 0 THEN INSERT (name, qty) VALUES (d.name, d.qty)"
        " WHEN NOT MATCHED THEN DO NOTHING",
        "MERGE INTO stock USING (VALUES (2, 'PEAR'), (40, 'lime')) AS v(id, name) ON stock.id = v.id"
        " WHEN MATCHED THEN UPDATE SET name = v.name WHEN NOT MATCHED THEN INSERT VALUES (v.id, v.name, DEFAULT, 'v')",
        "MERGE INTO stock t USING (SELECT 41 AS id) s ON t.id = s.id"
        " WHEN NOT MATCHED THEN INSERT (name, qty, tag) VALUES ('dflt', DEFAULT, DEFAULT)",
        "WITH s AS (SELECT 2 AS id, 50 AS qty) MERGE INTO stock t USING s ON t.id = s.id"
        " WHEN MATCHED AND NULL THEN DELETE WHEN MATCHED THEN UPDATE SET (qty, tag) = (s.qty, 'cte')",
        "MERGE INTO stock t USING delivery d ON t.id = d.id + 100 WHEN MATCHED THEN DELETE",
    ],
)
def test_merge_as_postgres(both, sql):
    _same_on_both(both, sql)


def test_insert_default_values_once_per_source_row(both):
    both.execute("CREATE TABLE events (id serial PRIMARY KEY, kind text DEFAULT 'tick')")
    sql = "MERGE INTO events e USING delivery d ON e.id = d.id + 1000 WHEN NOT MATCHED THEN INSERT DEFAULT VALUES"
    answers = [
        (conn.execute(sql).statusmessage, conn.execute("SELECT * FROM events ORDER BY id").fetchall())
        for conn in (both.lake, both.postgres)
    ]
    assert answers[0] == answers[1] == ("MERGE 5", [(n, "tick") for n in range(1, 6)])


@pytest.mark.parametrize(
    "sql, sqlstate",
    [
        (
            "MERGE INTO stock t USING (SELECT 1 AS id UNION ALL SELECT 1) s ON t.id = s.id"
            " WHEN MATCHED THEN UPDATE SET qty = 0",
            "21000",
        ),
        ("MERGE INTO stock t USING delivery d ON t.id = d.id WHEN MATCHED THEN UPDATE SET qty = -5", "23514"),
        ("MERGE INTO stock t USING delivery d ON t.id = d.id WHEN MATCHED THEN UPDATE SET tag = 'too long'", "22001"),
        ("MERGE INTO stock t USING delivery d ON t.id = d.id WHEN MATCHED THEN UPDATE SET twice = 1", "428C9"),
        (
            "MERGE INTO stock t USING delivery d ON t.id = d.id WHEN NOT MATCHED THEN INSERT (id, name) VALUES (1, 'x')",
            "23505",
        ),
        (
            "MERGE INTO stock t USING delivery d ON t.id = d.id WHEN NOT MATCHED THEN INSERT (name) VALUES (NULL)",
            "23502",
        ),
        ("MERGE INTO stock t USING delivery d ON t.id = d.id WHEN MATCHED THEN UPDATE SET nope = 1", "42703"),
        ("MERGE INTO nowhere t USING delivery d ON t.id = d.id WHEN MATCHED THEN DELETE", "42P01"),
    ],
)
def test_a_failing_merge_writes_nothing(both, sql, sqlstate):
    before = both.answers("SELECT * FROM stock ORDER BY id")
    assert both.sqlstates(sql) == (sqlstate, sqlstate)
    after = both.answers("SELECT * FROM stock ORDER BY id")
    assert after[0].rows == before[0].rows and after[1].rows == before[1].rows


def test_merge_in_a_rolled_back_block_leaves_nothing(both):
    before = both.answers("SELECT count(*) FROM stock")[0].rows
    for conn in (both.lake, both.postgres):
        with conn.transaction(force_rollback=True):
            assert conn.execute("MERGE INTO stock USING delivery ON stock.id = delivery.id WHEN MATCHED THEN DELETE")
    assert both.answers("SELECT count(*) FROM stock")[0].rows == before


def test_merge_on_a_view_and_postgres_17_forms_are_refused(both):
    both.execute("CREATE VIEW stock_view AS SELECT * FROM stock")
    assert both.sqlstates("MERGE INTO stock_view t USING delivery d ON t.id = d.id WHEN MATCHED THEN DELETE") == (
        "0A000",
        "0A000",
    )
    lake, _ = both.sqlstates(
        "MERGE INTO stock t USING delivery d ON t.id = d.id WHEN NOT MATCHED BY SOURCE THEN DELETE"
    )
    assert lake == "0A000"  # PostgreSQL 17's; 16 answers a syntax error
    lake, _ = both.sqlstates("MERGE INTO stock t USING delivery d ON t.id = d.id WHEN MATCHED THEN DELETE RETURNING *")
    assert lake == "0A000"


def test_upsert_by_merge_with_bound_parameters(both):
    sql = (
        "MERGE INTO stock t USING (SELECT %s::int AS id, %s AS name, %s::int AS qty) s ON t.id = s.id"
        " WHEN MATCHED THEN UPDATE SET qty = t.qty + s.qty WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.name, s.qty)"
    )
    assert _same_on_both(both, sql, (90, "melon", 4))[0] == "MERGE 1"
    _same_on_both(both, sql, (90, "melon", 4))


def test_asyncpg_binds_merge_parameters_by_their_types(both):
    sql = (
        "MERGE INTO stock t USING (SELECT $1::int AS id) s ON t.id = s.id"
        " WHEN MATCHED THEN UPDATE SET qty = $2 WHEN NOT MATCHED THEN INSERT (id, name, qty) VALUES (s.id, $3, $2)"
    )

    async def run(info) -> tuple[str, list[tuple]]:
        conn = await asyncpg.connect(host=info.host, port=info.port, user=info.user, database=info.dbname)
        try:
            status = await conn.execute(sql, 91, 3, "grape")
            return status, [tuple(r) for r in await conn.fetch("SELECT id, name, qty FROM stock WHERE id = 91")]
        finally:
            await conn.close()

    answers = [asyncio.run(run(conn.info)) for conn in (both.lake, both.postgres)]
    assert answers[0] == answers[1] == ("MERGE 1", [(91, "grape", 3)])
