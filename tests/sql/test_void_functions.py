"""Functions returning void answer as PostgreSQL 16's do: an empty text typed void (2278), NULL for
a NULL key (they answered NULL typed text); and a transaction's DEFERRABLE mode is a setting
(``SHOW transaction_deferrable`` was 42704)."""

from __future__ import annotations

import pytest

SETUP: list[str] = []


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT pg_sleep(0)",
        "SELECT pg_advisory_lock(41), pg_advisory_unlock(41)",
        "SELECT pg_advisory_lock(4, 2), pg_try_advisory_lock(7), pg_advisory_unlock_all()",
        "SELECT pg_advisory_lock(NULL::bigint)",
        "SELECT pg_notify('agents', 'done')",
        "SHOW transaction_deferrable",
        "SHOW default_transaction_deferrable",
    ],
)
def test_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def test_a_deferrable_transaction_says_so(both):
    answers = []
    for conn in (both.lake, both.postgres):
        conn.execute("BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY DEFERRABLE")
        answers.append(conn.execute("SELECT current_setting('transaction_deferrable')").fetchall())
        conn.execute("COMMIT")
    assert answers[0] == answers[1] == [("on",)]
