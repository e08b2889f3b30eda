"""Data-modifying WITH queries (``WITH d AS (DELETE ... RETURNING ...) ...``) as PostgreSQL 16 runs
them: moving rows to an archive, claiming a job, chained inserts, a column list on the CTE, a write
nothing reads (it still runs), a write without RETURNING that is read (0A000), an error in any part
leaving nothing, bound parameters through psycopg and asyncpg (whose Describe must not write).
Compared with PostgreSQL 16 (pgserver)."""

from __future__ import annotations

import asyncio

import asyncpg
import psycopg

SETUP = [
    "CREATE TABLE queue (id int PRIMARY KEY, payload text, state text DEFAULT 'new')",
    "CREATE TABLE archive (id int PRIMARY KEY, payload text)",
    "INSERT INTO queue VALUES (1, 'a', 'done'), (2, 'b', 'new'), (3, 'c', 'done'), (4, 'd', 'new')",
]


def _tables(conn: psycopg.Connection) -> tuple[list[tuple], list[tuple]]:
    return (
        conn.execute("SELECT * FROM queue ORDER BY id").fetchall(),
        conn.execute("SELECT * FROM archive ORDER BY id").fetchall(),
    )


def _same_on_both(both, sql: str, params=None) -> tuple[str, list[tuple] | None]:
    answers = []
    for conn in (both.lake, both.postgres):
        cur = conn.execute(sql, params)
        answers.append((cur.statusmessage, cur.fetchall() if cur.description else None, _tables(conn)))
    assert answers[0] == answers[1], sql
    return answers[0][:2]


def test_moving_done_rows_to_an_archive(both):
    sql = (
        "WITH moved AS (DELETE FROM queue WHERE state = 'done' RETURNING id, payload)"
        " INSERT INTO archive SELECT id, payload FROM moved"
    )
    assert _same_on_both(both, sql) == ("INSERT 0 2", None)


def test_claiming_a_job_with_bound_parameters(both):
    sql = "WITH claimed AS (UPDATE queue SET state = %s WHERE id = %s RETURNING id, state) SELECT * FROM claimed"
    assert _same_on_both(both, sql, ("taken", 2)) == ("SELECT 1", [(2, "taken")])


def test_chained_writes_and_a_column_list(both):
    sql = (
        "WITH added(n) AS (INSERT INTO queue VALUES (10, 'x'), (11, 'y') RETURNING id),"
        " copied AS (INSERT INTO archive SELECT n, 'copy' FROM added RETURNING id)"
        " SELECT array_agg(id ORDER BY id) AS ids FROM copied"
    )
    assert _same_on_both(both, sql) == ("SELECT 1", [([10, 11],)])


def test_a_write_nothing_reads_still_runs(both):
    assert _same_on_both(both, "WITH gone AS (DELETE FROM queue WHERE id = 11 RETURNING id) SELECT 1 AS one")[1] == [
        (1,)
    ]


def test_errors_as_postgres_and_nothing_written(both):
    before = [_tables(conn) for conn in (both.lake, both.postgres)]
    assert both.sqlstates("WITH d AS (INSERT INTO queue VALUES (4, 'dup') RETURNING *) SELECT * FROM d") == (
        "23505",
        "23505",
    )
    assert both.sqlstates(
        "WITH d AS (DELETE FROM queue WHERE id = 4 RETURNING id) INSERT INTO archive SELECT id, 1 / 0 FROM d"
    ) == ("22012", "22012")
    assert both.sqlstates("WITH d AS (DELETE FROM queue WHERE id = 4) SELECT * FROM d") == ("0A000", "0A000")
    assert both.sqlstates("SELECT * FROM (WITH d AS (DELETE FROM queue RETURNING *) SELECT * FROM d) x") == (
        "0A000",
        "0A000",
    )
    assert [_tables(conn) for conn in (both.lake, both.postgres)] == before


def test_asyncpg_prepares_without_writing(both):
    sql = "WITH ins AS (INSERT INTO queue VALUES ($1, $2) RETURNING id, payload) SELECT id, payload FROM ins"

    async def run(info) -> tuple[list[str], list[tuple], list[tuple]]:
        conn = await asyncpg.connect(host=info.host, port=info.port, user=info.user, database=info.dbname)
        try:
            statement = await conn.prepare(sql)  # Parse and Describe: nothing may be inserted yet
            before = [tuple(r) for r in await conn.fetch("SELECT id FROM queue WHERE id = 20")]
            rows = [tuple(r) for r in await statement.fetch(20, "z")]
            return [a.name for a in statement.get_attributes()], before, rows
        finally:
            await conn.close()

    answers = [asyncio.run(run(conn.info)) for conn in (both.lake, both.postgres)]
    assert answers[0] == answers[1] == (["id", "payload"], [], [(20, "z")])
