"""Two sessions interleaved, on agentlake and on PostgreSQL 16: what a transaction block sees of the
other's commits at READ COMMITTED (the default: a snapshot per statement) and at REPEATABLE READ
(one snapshot, taken by the first query rather than by BEGIN), when its level and read-write mode may
change, and two-phase commit, off as in PostgreSQL by default."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE iso (k int PRIMARY KEY, v int)",
    "CREATE TABLE parent (id int PRIMARY KEY)",
    "CREATE TABLE child (id int PRIMARY KEY, pid int REFERENCES parent DEFERRABLE INITIALLY DEFERRED)",
]

Step = tuple[str, str]  # which session ("a" or "b") runs which statement


SCENARIOS: dict[str, list[Step]] = {
    "read committed sees commits between statements": [
        ("a", "BEGIN"),
        ("a", "SELECT count(*) FROM iso"),
        ("b", "INSERT INTO iso VALUES (3, 30)"),
        ("a", "SELECT count(*) FROM iso"),
        ("a", "INSERT INTO iso VALUES (4, 40)"),
        ("b", "INSERT INTO iso VALUES (5, 50)"),
        ("a", "SELECT k FROM iso ORDER BY k"),
        ("a", "UPDATE iso SET v = v + 1 WHERE k IN (4, 5)"),
        ("a", "DELETE FROM iso WHERE k = 3"),
        ("a", "COMMIT"),
        ("b", "SELECT k, v FROM iso ORDER BY k"),
    ],
    "repeatable read keeps the first query's snapshot": [
        ("a", "BEGIN ISOLATION LEVEL REPEATABLE READ"),
        ("a", "SHOW transaction_isolation"),
        ("b", "INSERT INTO iso VALUES (3, 30)"),
        ("a", "SELECT count(*) FROM iso"),
        ("b", "INSERT INTO iso VALUES (4, 40)"),
        ("a", "SELECT count(*) FROM iso"),
        ("a", "COMMIT"),
        ("a", "SELECT count(*) FROM iso"),
    ],
    "serializable reads one snapshot too": [
        ("a", "BEGIN ISOLATION LEVEL SERIALIZABLE"),
        ("a", "SELECT count(*) FROM iso"),
        ("b", "INSERT INTO iso VALUES (3, 30)"),
        ("a", "SELECT count(*) FROM iso"),
        ("a", "COMMIT"),
    ],
    "a rolled-back savepoint keeps the statements before it": [
        ("a", "BEGIN"),
        ("a", "INSERT INTO iso VALUES (6, 60)"),
        ("a", "SAVEPOINT s"),
        ("b", "INSERT INTO iso VALUES (7, 70)"),
        ("a", "INSERT INTO iso VALUES (8, 80)"),
        ("a", "ROLLBACK TO SAVEPOINT s"),
        ("a", "SELECT k FROM iso ORDER BY k"),
        ("a", "COMMIT"),
        ("b", "SELECT k FROM iso ORDER BY k"),
    ],
    "a transaction updates its own new row after another commit": [
        ("a", "BEGIN ISOLATION LEVEL REPEATABLE READ"),
        ("a", "INSERT INTO iso VALUES (9, 90)"),
        ("a", "UPDATE iso SET v = 91 WHERE k = 9"),
        ("b", "INSERT INTO iso VALUES (10, 100)"),
        ("a", "COMMIT"),
        ("b", "SELECT k, v FROM iso ORDER BY k"),
    ],
    "the level is fixed by the first query": [
        ("a", "BEGIN"),
        ("a", "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"),
        ("a", "SHOW transaction_isolation"),
        ("a", "SELECT 1"),
        ("a", "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"),
        ("a", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"),
        ("a", "ROLLBACK"),
        ("a", "BEGIN"),
        ("a", "SAVEPOINT s"),
        ("a", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"),
        ("a", "ROLLBACK"),
    ],
    "a read-only transaction turns read-write only before its first query": [
        ("a", "BEGIN READ ONLY"),
        ("a", "SET TRANSACTION READ WRITE"),
        ("a", "SHOW transaction_read_only"),
        ("a", "ROLLBACK"),
        ("a", "BEGIN READ ONLY"),
        ("a", "SELECT 1"),
        ("a", "SET TRANSACTION READ WRITE"),
        ("a", "ROLLBACK"),
    ],
    "a deferred constraint waits for COMMIT while others commit": [
        ("a", "BEGIN"),
        ("a", "INSERT INTO child VALUES (1, 7)"),
        ("b", "INSERT INTO iso VALUES (3, 30)"),
        ("a", "SELECT count(*) FROM child"),
        ("a", "INSERT INTO parent VALUES (7)"),
        ("a", "COMMIT"),
        ("a", "BEGIN"),
        ("a", "INSERT INTO child VALUES (2, 8)"),
        ("b", "INSERT INTO iso VALUES (4, 40)"),
        ("a", "SELECT count(*) FROM child"),
        ("a", "COMMIT"),
        ("b", "SELECT id, pid FROM child ORDER BY id"),
    ],
    "two-phase commit is off": [
        ("a", "BEGIN"),
        ("a", "INSERT INTO iso VALUES (3, 30)"),
        ("a", "PREPARE TRANSACTION 'agent-7'"),
        ("a", "SELECT count(*) FROM iso"),
        ("a", "PREPARE TRANSACTION 'agent-7'"),
        ("a", "COMMIT PREPARED 'agent-7'"),
        ("a", "ROLLBACK PREPARED 'agent-7'"),
        ("a", "BEGIN"),
        ("a", "COMMIT PREPARED 'agent-7'"),
        ("a", "ROLLBACK"),
        ("a", "SHOW max_prepared_transactions"),
        ("a", "SELECT gid FROM pg_prepared_xacts"),
    ],
    "the session default": [
        ("a", "SET default_transaction_isolation = 'repeatable read'"),
        ("a", "SHOW transaction_isolation"),
        ("a", "BEGIN"),
        ("a", "SHOW transaction_isolation"),
        ("a", "SELECT count(*) FROM iso"),
        ("b", "INSERT INTO iso VALUES (3, 30)"),
        ("a", "SELECT count(*) FROM iso"),
        ("a", "COMMIT"),
        ("a", "SET default_transaction_isolation = 'sometimes'"),
        ("a", "RESET default_transaction_isolation"),
        ("a", "SHOW transaction_isolation"),
    ],
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_interleaved_sessions_see_what_postgresql_sessions_see(both, name):
    both.execute("TRUNCATE iso")
    both.execute("INSERT INTO iso VALUES (1, 10), (2, 20)")
    lake, postgres = both.interleaved(SCENARIOS[name])
    assert lake == postgres
