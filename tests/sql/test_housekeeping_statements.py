"""VACUUM, ANALYZE and DISCARD over the wire, as PostgreSQL 16 takes them (all were 0A000): the same
command tags, 42P01 for a table that does not exist, 25001 inside a transaction block where
PostgreSQL refuses them. VACUUM compacts (the rows stay, the small files fold); DISCARD ALL resets
what a connection pool expects reset."""

from __future__ import annotations

import psycopg
import pytest

import agentlake

SETUP = [
    "CREATE TABLE notes (id int PRIMARY KEY, body text)",
    "INSERT INTO notes SELECT g, 'n' || g FROM generate_series(1, 20) g",
    "DELETE FROM notes WHERE id <= 5",
    "INSERT INTO notes VALUES (100, 'late')",
    "UPDATE notes SET body = 'changed' WHERE id = 7",
]


@pytest.mark.parametrize(
    "sql",
    [
        "VACUUM",
        "VACUUM notes",
        "VACUUM FULL notes",
        "VACUUM (VERBOSE, ANALYZE) notes",
        "VACUUM (PARALLEL 2, INDEX_CLEANUP off, FULL false) notes",
        "ANALYZE (SKIP_LOCKED) notes",
        "VACUUM ANALYZE notes (body)",
        "ANALYZE",
        "ANALYZE notes",
        "ANALYZE VERBOSE notes (id, body)",
        "ANALYSE notes",
        "DISCARD ALL",
        "DISCARD PLANS",
        "DISCARD SEQUENCES",
        "DISCARD TEMP",
    ],
)
def test_command_tags_as_postgres(both, sql):
    lake, postgres = both.lake.execute(sql), both.postgres.execute(sql)
    assert lake.statusmessage == postgres.statusmessage
    answers = both.answers("SELECT id, body FROM notes ORDER BY id")
    assert answers[0].rows == answers[1].rows  # nothing a reader sees changed


@pytest.mark.parametrize("sql", ["VACUUM missing", "ANALYZE missing", "VACUUM notes, missing"])
def test_a_missing_table_is_42p01_as_postgres(both, sql):
    assert both.sqlstates(sql) == ("42P01", "42P01")


@pytest.mark.parametrize("sql", ["VACUUM (BOGUS) notes", "ANALYZE (FULL) notes", "VACUUM (VERBOSE, NOPE 1)"])
def test_an_unknown_option_is_42601_as_postgres(both, sql):
    assert both.sqlstates(sql) == ("42601", "42601")


@pytest.mark.parametrize("sql", ["VACUUM VERBOSE notes", "ANALYZE VERBOSE notes", "VACUUM (VERBOSE) notes"])
def test_verbose_reports_each_table_as_info(both, sql):
    notices = []

    def keep(diagnostic) -> None:
        notices.append((diagnostic.severity, diagnostic.message_primary))

    both.lake.add_notice_handler(keep)
    try:
        both.lake.execute(sql)
    finally:
        both.lake.remove_notice_handler(keep)
    assert notices and all(severity == "INFO" and '"' in message for severity, message in notices)
    assert any("public.notes" in message for _, message in notices)


@pytest.mark.parametrize("sql", ["VACUUM", "VACUUM notes", "DISCARD ALL"])
def test_refused_inside_a_transaction_block_as_postgres(both, sql):
    states = []
    for conn in (both.lake, both.postgres):
        with pytest.raises(psycopg.Error) as caught, conn.transaction():
            conn.execute(sql)
        states.append(caught.value.sqlstate)
    assert states == ["25001", "25001"]


def test_analyze_runs_inside_a_transaction_block(both):
    for conn in (both.lake, both.postgres):
        with conn.transaction():
            assert conn.execute("ANALYZE notes").statusmessage == "ANALYZE"


def test_vacuum_folds_the_small_files_of_deletes_and_updates(tmp_path):
    db = agentlake.connect(str(tmp_path / "repo"))
    db.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)")
    for i in range(12):
        db.execute("INSERT INTO notes VALUES (%s, %s)", [i, f"n{i}"])
    db.execute("DELETE FROM notes WHERE id < 4")
    db.execute("UPDATE notes SET body = 'changed' WHERE id = 7")
    rows = db.execute("SELECT id, body FROM notes ORDER BY id").fetchall()
    assert len(db.repository.snapshot("main").tables["notes"].files) > 1
    db.execute("VACUUM notes")
    assert len(db.repository.snapshot("main").tables["notes"].files) == 1
    assert db.execute("SELECT id, body FROM notes ORDER BY id").fetchall() == rows


def test_discard_all_resets_the_session(both):
    lake = both.lake
    lake.execute("SET statement_timeout = '5s'")
    lake.execute("LISTEN chores")
    lake.execute("SELECT pg_advisory_lock(77)")
    lake.execute("DISCARD ALL")
    assert lake.execute("SHOW statement_timeout").fetchone()[0] == "0"
    assert lake.execute("SELECT pg_try_advisory_lock(77)").fetchone()[0] is True  # free again, then taken
    lake.execute("SELECT pg_advisory_unlock_all()")
