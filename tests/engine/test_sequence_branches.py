"""Standalone sequences through the Python API as branch catalog state: a sequence created on a
branch stays there until merged, follows transactions and savepoints (its values do not: nextval
is never rolled back, as in PostgreSQL), and two branches drawing from one sequence never hand out
the same value (tests/sql/test_sequences_standalone.py compares the answers with PostgreSQL)."""

from __future__ import annotations

import pytest

import agentlake


def sqlstate_of(conn, sql: str) -> str:
    with pytest.raises(agentlake.Error) as caught:
        conn.execute(sql)
    return caught.value.sqlstate


def test_a_sequence_stays_on_its_branch_until_merged(repo_url):
    main = agentlake.connect(repo_url)
    main.execute("CREATE SEQUENCE shared_ids")
    main.execute("SELECT agentlake.branch('feature')")
    feature = agentlake.connect(repo_url, branch="feature")
    feature.execute("CREATE SEQUENCE feature_ids START 10")
    assert feature.execute("SELECT nextval('feature_ids')").fetchone() == (10,)
    assert sqlstate_of(main, "SELECT nextval('feature_ids')") == "42P01"
    drawn = [main.execute("SELECT nextval('shared_ids')").fetchone()[0] for _ in range(3)]
    drawn += [feature.execute("SELECT nextval('shared_ids')").fetchone()[0] for _ in range(3)]
    assert sorted(drawn) == list(range(1, 7))  # one counter for both branches: no value twice
    feature.merge("main")
    main = agentlake.connect(repo_url)
    assert main.execute("SELECT nextval('feature_ids')").fetchone() == (11,)


def test_definitions_follow_transactions_and_values_do_not(repo_url):
    db = agentlake.connect(repo_url)
    db.execute("BEGIN")
    db.execute("CREATE SEQUENCE kept")
    db.execute("SAVEPOINT before")
    db.execute("CREATE SEQUENCE dropped")
    db.execute("ROLLBACK TO SAVEPOINT before")
    assert db.execute("SELECT nextval('kept'), nextval('kept')").fetchone() == (1, 2)
    assert sqlstate_of(db, "SELECT nextval('dropped')") == "42P01"
    db.execute("ROLLBACK")
    assert sqlstate_of(db, "SELECT nextval('kept')") == "42P01"
    db.execute("CREATE SEQUENCE kept")
    db.execute("BEGIN")
    assert db.execute("SELECT nextval('kept')").fetchone() == (1,)
    db.execute("ROLLBACK")
    assert db.execute("SELECT nextval('kept')").fetchone() == (2,)
