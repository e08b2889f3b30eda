"""WITH ... UPDATE / DELETE / INSERT as PostgreSQL 16 runs them (the CTE was dropped, so its name
was 42P01): the task-queue claim ``WITH next AS (SELECT ... FOR UPDATE SKIP LOCKED) UPDATE ...
FROM next``, a CTE read by WHERE, by INSERT ... SELECT, recursive ones; with bound parameters over
the wire. A data-modifying statement inside WITH runs first and is read by its name
(tests/sql/test_writing_ctes.py has more)."""

from __future__ import annotations

SETUP = [
    "CREATE TABLE tasks (id int PRIMARY KEY, status text, agent text)",
    "INSERT INTO tasks VALUES (1, 'todo', NULL), (2, 'todo', NULL), (3, 'done', 'x'), (4, 'todo', NULL)",
]

IN_ORDER = [
    "WITH next AS (SELECT id FROM tasks WHERE status = 'todo' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)"
    " UPDATE tasks SET status = 'doing', agent = 'a1' FROM next WHERE tasks.id = next.id RETURNING tasks.id, tasks.status",
    "WITH old AS (SELECT id FROM tasks WHERE status = 'done') DELETE FROM tasks WHERE id IN (SELECT id FROM old) RETURNING id",
    "WITH src AS (SELECT 10 AS id, 'new' AS s) INSERT INTO tasks (id, status) SELECT id, s FROM src RETURNING id, status",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 2)"
    " UPDATE tasks SET agent = 'r' WHERE id IN (SELECT n FROM r) RETURNING id, agent",
    "WITH counts AS (SELECT status, count(*) AS n FROM tasks GROUP BY status)"
    " UPDATE tasks SET agent = counts.n::text FROM counts WHERE counts.status = tasks.status AND tasks.id = 4 RETURNING agent",
    "SELECT * FROM tasks ORDER BY id",
]


def test_writes_reading_ctes_as_postgres(both):
    for sql in IN_ORDER:
        lake, postgres = both.answers(sql)
        assert (lake.names, lake.type_oids, sorted(lake.rows)) == (
            postgres.names,
            postgres.type_oids,
            sorted(postgres.rows),
        ), sql


def test_claiming_a_task_with_bound_parameters(both):
    sql = (
        "WITH next AS (SELECT id FROM tasks WHERE status = %s ORDER BY id LIMIT 1)"
        " UPDATE tasks SET status = 'doing', agent = %s FROM next WHERE tasks.id = next.id RETURNING tasks.id"
    )
    answers = [conn.execute(sql, ("todo", "a2")).fetchall() for conn in (both.lake, both.postgres)]
    assert answers[0] == answers[1] and len(answers[0]) == 1


def test_a_write_inside_with_runs_first_and_is_read_by_its_name(both):
    both.execute(
        "WITH d AS (DELETE FROM tasks WHERE id = 1 RETURNING *) INSERT INTO tasks SELECT id + 100, status, agent FROM d"
    )
    for sql in (
        "WITH u AS (UPDATE tasks SET agent = 'u' WHERE status = 'todo' RETURNING id) SELECT count(*) FROM u",
        "WITH i(n) AS (INSERT INTO tasks VALUES (50, 'new', NULL) RETURNING id) SELECT n, n > 40 AS big FROM i",
        "SELECT * FROM tasks ORDER BY id",
    ):
        lake, postgres = both.answers(sql)
        assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows), sql


def test_reading_a_table_a_write_inside_with_changes_is_refused(both):
    """PostgreSQL shows the rest of the statement the table as it was before; agentlake refuses."""
    sql = "WITH d AS (DELETE FROM tasks WHERE id = 2 RETURNING *) SELECT count(*) FROM tasks"
    lake, postgres = both.sqlstates(sql)
    assert lake == "0A000" and postgres is None
    assert both.sqlstates("WITH d AS (DELETE FROM tasks WHERE id = 2) SELECT * FROM d") == ("0A000", "0A000")


def test_every_row_lock_strength_is_read(both):
    """FOR NO KEY UPDATE and FOR KEY SHARE (DataFusion's parser knew only UPDATE and SHARE)."""
    for sql in (
        "SELECT id FROM tasks WHERE id = 4 FOR NO KEY UPDATE",
        "SELECT id FROM tasks WHERE id = 4 FOR KEY SHARE SKIP LOCKED",
        "SELECT id FROM tasks WHERE id = 4 FOR NO KEY UPDATE NOWAIT",
    ):
        lake, postgres = both.answers(sql)
        assert lake.rows == postgres.rows == [(4,)]
