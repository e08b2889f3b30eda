"""SELECT ... FOR UPDATE / FOR SHARE [OF t] [NOWAIT | SKIP LOCKED] on agentlake and PostgreSQL 16:
what a second session gets while the first holds rows (a job queue's workers each take a different
job), a waiter that reads the row as its holder committed it, lock_timeout, and the queries
PostgreSQL refuses to lock."""

from __future__ import annotations

import threading

import psycopg
import pytest

SETUP = [
    "CREATE TABLE jobs (id int PRIMARY KEY, state text NOT NULL DEFAULT 'new', owner text)",
    "CREATE TABLE notes (id int PRIMARY KEY, job int)",
    "INSERT INTO notes VALUES (1, 1), (2, 9)",
]

NEXT_JOB = "SELECT id FROM jobs WHERE state = 'new' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"

SCENARIOS: dict[str, list[tuple[str, str]]] = {
    "two workers take different jobs": [
        ("a", "BEGIN"),
        ("a", NEXT_JOB),
        ("b", "BEGIN"),
        ("b", NEXT_JOB),
        ("b", "UPDATE jobs SET state = 'taken', owner = 'b' WHERE id = 2"),
        ("a", "UPDATE jobs SET state = 'taken', owner = 'a' WHERE id = 1"),
        ("a", "COMMIT"),
        ("b", "COMMIT"),
        ("b", NEXT_JOB),
        ("b", "SELECT id, state, owner FROM jobs ORDER BY id"),
    ],
    "a worker takes the next free jobs in one statement": [
        ("a", "BEGIN"),
        ("a", "SELECT id FROM jobs ORDER BY id LIMIT 2 FOR UPDATE"),
        ("b", "UPDATE jobs SET state = 'taken', owner = 'b' WHERE id = (" + NEXT_JOB + ") RETURNING id, state"),
        (
            "b",
            "WITH next AS (" + NEXT_JOB + ") UPDATE jobs j SET state = 'taken' FROM next "
            "WHERE j.id = next.id RETURNING j.id",
        ),
        ("b", NEXT_JOB),
        ("a", "COMMIT"),
        ("b", "SELECT id, state FROM jobs ORDER BY id"),
    ],
    "nowait refuses a held row and takes a free one": [
        ("a", "BEGIN"),
        ("a", "SELECT id, state FROM jobs WHERE id = 1 FOR NO KEY UPDATE"),
        ("b", "SELECT id FROM jobs WHERE id = 1 FOR UPDATE NOWAIT"),
        ("b", "SELECT id, state FROM jobs WHERE id = 1 FOR UPDATE SKIP LOCKED"),
        ("b", "SELECT id FROM jobs WHERE id = 2 FOR UPDATE NOWAIT"),
        ("b", "SELECT id FROM jobs WHERE id <= 2 ORDER BY id FOR SHARE SKIP LOCKED"),
        ("a", "ROLLBACK"),
        ("b", "SELECT id FROM jobs WHERE id = 1 FOR UPDATE NOWAIT"),
    ],
    "shared locks share and exclude writers' locks": [
        ("a", "BEGIN"),
        ("a", "SELECT id FROM jobs WHERE id = 1 FOR SHARE"),
        ("b", "SELECT id FROM jobs WHERE id = 1 FOR SHARE NOWAIT"),
        ("b", "SELECT id FROM jobs WHERE id = 1 FOR UPDATE NOWAIT"),
        ("a", "COMMIT"),
    ],
    "of names which tables lock": [
        ("a", "BEGIN"),
        ("a", "SELECT j.id, n.id FROM jobs j JOIN notes n ON n.job = j.id FOR UPDATE OF n"),
        ("b", "SELECT id FROM jobs WHERE id = 1 FOR UPDATE NOWAIT"),
        ("b", "SELECT id FROM notes WHERE id = 1 FOR UPDATE NOWAIT"),
        ("a", "COMMIT"),
        ("a", "SELECT * FROM jobs j, generate_series(1, 2) g WHERE j.id = g ORDER BY j.id FOR UPDATE"),
        ("a", "SELECT j.id FROM jobs j LEFT JOIN notes n ON n.job = j.id WHERE j.id = 1 FOR UPDATE OF j"),
    ],
}

REFUSED = [
    "SELECT count(*) FROM jobs FOR UPDATE",
    "SELECT DISTINCT state FROM jobs FOR UPDATE",
    "SELECT state FROM jobs GROUP BY state FOR SHARE",
    "SELECT id, row_number() OVER () FROM jobs FOR UPDATE",
    "SELECT id FROM jobs UNION SELECT id FROM notes FOR UPDATE",
    "SELECT * FROM jobs FOR UPDATE OF nothere",
    "SELECT j.id FROM jobs j LEFT JOIN notes n ON n.job = j.id FOR UPDATE",
    "SELECT * FROM generate_series(1, 2) g FOR UPDATE OF g",
    "SELECT * FROM jobs FOR UPDATE WAIT 5",
]


def _jobs(both, count: int = 4) -> None:
    both.execute("DELETE FROM jobs")
    both.execute(f"INSERT INTO jobs (id) SELECT g FROM generate_series(1, {count}) g")


@pytest.mark.parametrize("name", SCENARIOS)
def test_second_session_sees_the_locks_postgresql_shows_it(both, name):
    _jobs(both)
    lake, postgres = both.interleaved(SCENARIOS[name])
    assert lake == postgres


@pytest.mark.parametrize("sql", REFUSED)
def test_queries_postgresql_will_not_lock_are_refused_alike(both, sql):
    lake, postgres = both.errors(sql)
    assert postgres is not None
    assert lake == postgres


def _waiter(both, conn: psycopg.Connection, steps_before_commit: list[str]) -> list:
    """Session a holds job 1 and runs ``steps_before_commit``; session b asks for the same row with
    FOR UPDATE (waiting, in a thread) and gets it once a commits: b's answer, and whether it waited."""
    other = psycopg.connect(conn.info.dsn, autocommit=True)
    got: list = []
    conn.execute("BEGIN")
    conn.execute("SELECT id FROM jobs WHERE id = 1 FOR UPDATE")
    waiter = threading.Thread(
        target=lambda: got.append(
            other.execute("SELECT id, state FROM jobs WHERE id = 1 AND state = 'new' FOR UPDATE").fetchall()
        )
    )
    waiter.start()
    waiter.join(0.5)
    waited = waiter.is_alive()
    for sql in steps_before_commit:
        conn.execute(sql)
    conn.execute("COMMIT")
    waiter.join(10)
    other.close()
    return [waited, *got]


def test_a_waiter_reads_the_row_as_its_holder_committed_it(both):
    _jobs(both)
    lake = _waiter(both, both.lake, ["UPDATE jobs SET state = 'taken' WHERE id = 1"])
    postgres = _waiter(both, both.postgres, ["UPDATE jobs SET state = 'taken' WHERE id = 1"])
    assert lake == postgres == [True, []]  # the row no longer matches once its holder's change is read
    _jobs(both)
    lake, postgres = _waiter(both, both.lake, []), _waiter(both, both.postgres, [])
    assert lake == postgres == [True, [(1, "new")]]


def test_lock_timeout_ends_the_wait_with_55p03(both):
    _jobs(both)
    for conn in (both.lake, both.postgres):
        other = psycopg.connect(conn.info.dsn, autocommit=True)
        conn.execute("BEGIN")
        conn.execute("SELECT id FROM jobs WHERE id = 1 FOR UPDATE")
        other.execute("SET lock_timeout = '100ms'")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            other.execute("SELECT id FROM jobs WHERE id = 1 FOR UPDATE")
        conn.execute("ROLLBACK")
        assert other.execute("SELECT id FROM jobs WHERE id = 1 FOR UPDATE").fetchall() == [(1,)]
        other.close()


def test_concurrent_workers_take_each_job_once(both):
    """Eight agentlake sessions drain a queue at once, each in autocommit (the lock lasts the
    statement) and in transaction blocks: every job is taken, none twice."""
    _jobs(both, 40)
    taken: list[tuple[int, str]] = []
    errors: list[Exception] = []

    def work(name: str, blocks: bool) -> None:
        with psycopg.connect(both.lake.info.dsn, autocommit=True) as conn:
            while True:
                try:
                    if blocks:
                        with conn.transaction():
                            row = conn.execute(NEXT_JOB).fetchone()
                            if row is not None:
                                conn.execute(
                                    "UPDATE jobs SET state = 'taken', owner = %s WHERE id = %s", (name, row[0])
                                )
                    else:
                        row = conn.execute(
                            f"UPDATE jobs SET state = 'taken', owner = %s WHERE id = ({NEXT_JOB}) RETURNING id", (name,)
                        ).fetchone()
                except psycopg.Error as err:
                    errors.append(err)
                    return
                if row is None:
                    return
                taken.append((row[0], name))

    workers = [threading.Thread(target=work, args=(f"w{i}", i % 2 == 0)) for i in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert errors == []
    assert sorted(job for job, _ in taken) == list(range(1, 41))
    owners = dict(both.lake.execute("SELECT id, owner FROM jobs").fetchall())
    assert owners == dict(taken)


@pytest.mark.parametrize("block", [None, "READ COMMITTED"])
def test_concurrent_increments_of_one_row_each_count(both, block):
    """Four sessions add one to the same counter 15 times each, alone or in transaction blocks:
    PostgreSQL makes each wait for the last and counts 60 without an error; so must agentlake."""
    both.execute("DELETE FROM jobs")
    both.execute("INSERT INTO jobs (id, owner) VALUES (1, '0')")
    for conn in (both.lake, both.postgres):
        errors: list[str] = []

        def add(dsn: str = conn.info.dsn) -> None:
            with psycopg.connect(dsn, autocommit=True) as session:
                for _ in range(15):
                    try:
                        if block:
                            session.execute(f"BEGIN ISOLATION LEVEL {block}")
                        session.execute("UPDATE jobs SET owner = (owner::int + 1)::text WHERE id = 1")
                        if block:
                            session.execute("COMMIT")
                    except psycopg.Error as err:
                        errors.append(err.sqlstate)
                        session.execute("ROLLBACK")

        sessions = [threading.Thread(target=add) for _ in range(4)]
        for session in sessions:
            session.start()
        for session in sessions:
            session.join(120)
        assert errors == []
        assert conn.execute("SELECT owner FROM jobs WHERE id = 1").fetchone() == ("60",)


@pytest.mark.parametrize("outcome", ["COMMIT", "ROLLBACK"])
def test_an_insert_of_a_key_another_transaction_is_inserting_waits_for_it(both, outcome):
    """The second INSERT of a key waits for the first transaction: 23505 once it commits, its own
    row once it rolls back, as in PostgreSQL (both wrote, and one failed with 40001 at commit)."""
    both.execute("DELETE FROM jobs")
    results = []
    for conn in (both.lake, both.postgres):
        other = psycopg.connect(conn.info.dsn, autocommit=True)
        got: list = []

        def insert(session: psycopg.Connection = other, got: list = got) -> None:
            try:
                got.append(session.execute("INSERT INTO jobs (id, owner) VALUES (7, 'b') RETURNING owner").fetchall())
            except psycopg.Error as err:
                got.append(err.sqlstate)

        conn.execute("BEGIN")
        conn.execute("INSERT INTO jobs (id, owner) VALUES (7, 'a')")
        waiter = threading.Thread(target=insert)
        waiter.start()
        waiter.join(0.5)
        waited = waiter.is_alive()
        conn.execute(outcome)
        waiter.join(30)
        other.close()
        results.append((waited, got, conn.execute("SELECT owner FROM jobs WHERE id = 7").fetchall()))
    assert results[0] == results[1]


def test_concurrent_upserts_of_the_same_keys_all_land(both):
    """Four sessions remember the same ten facts at once with ON CONFLICT DO NOTHING, then count
    them with ON CONFLICT DO UPDATE: no error, each fact once, each counted by every session."""
    for conn in (both.lake, both.postgres):
        conn.execute("DELETE FROM jobs")
        errors: list[str] = []

        def remember(dsn: str = conn.info.dsn) -> None:
            with psycopg.connect(dsn, autocommit=True) as session:
                for key in range(10):
                    for sql in (
                        "INSERT INTO jobs (id, owner) VALUES (%s, '0') ON CONFLICT DO NOTHING",
                        "INSERT INTO jobs (id, owner) VALUES (%s, '1') ON CONFLICT (id) DO UPDATE"
                        " SET owner = (jobs.owner::int + 1)::text",
                    ):
                        try:
                            session.execute(sql, (key,))
                        except psycopg.Error as err:
                            errors.append(err.sqlstate)

        sessions = [threading.Thread(target=remember) for _ in range(4)]
        for session in sessions:
            session.start()
        for session in sessions:
            session.join(120)
        assert errors == []
        assert conn.execute("SELECT count(*), sum(owner::int) FROM jobs").fetchone() == (10, 40)
