"""The unplanned paths of small writes give exactly what the planned paths give.

UPDATE by key and INSERT ... ON CONFLICT on the primary key compute simple SET lists without
DataFusion (engine/row_assignments.py) and look conflicting keys up one by one
(engine/fastpath.rows_by_keys). Each statement below runs on two repositories, one with those
paths switched off, and its outcome (rows returned and count, or SQLSTATE and message) and the
tables afterwards must agree, errors included: 23505, 23502, 23514, 23503, 22P02, 42804, 21000.
"""

from __future__ import annotations

import pytest

import agentlake
from agentlake.engine import dml

SETUP = [
    "CREATE TABLE t (k text PRIMARY KEY, v text, n int NOT NULL, b boolean, big bigint, s smallint,"
    " c int CHECK (c > 0))",
    "CREATE TABLE child (id int PRIMARY KEY, k text REFERENCES t (k))",
    "INSERT INTO t VALUES ('a', 'x', 1, true, 9223372036854775806, 3, 5), ('b', NULL, 2, NULL, NULL, NULL, 1),"
    " ('c', 'z', 2147483646, false, -9223372036854775807, 32766, 2)",
    "INSERT INTO child VALUES (1, 'a')",
]

STATEMENTS = [
    ("UPDATE t SET v = %s WHERE k = %s", ["new", "a"]),
    ("UPDATE t SET v = %s WHERE k = %s", [None, "a"]),
    ("UPDATE t SET v = %s WHERE k = %s", [7, "b"]),
    ("UPDATE t SET v = %s, n = n + 1 WHERE k = %s", ["plan", "b"]),
    ("UPDATE t SET n = n - 3 WHERE k = 'a'", None),
    ("UPDATE t SET n = 1 + n WHERE k = 'a'", None),
    ("UPDATE t SET n = (n + 1) WHERE k = 'a'", None),
    ("UPDATE t SET n = -1 WHERE k = 'a'", None),
    ("UPDATE t SET n = NULL WHERE k = 'a'", None),
    ("UPDATE t SET n = 'abc' WHERE k = 'a'", None),
    ("UPDATE t SET n = '12' WHERE k = 'a'", None),
    ("UPDATE t SET n = n + 1 WHERE k = 'c'", None),
    ("UPDATE t SET n = n + 2 WHERE k = 'c'", None),
    ("UPDATE t SET n = n + 2147483647 WHERE k = 'b'", None),
    ("UPDATE t SET n = n * 2 WHERE k = 'b'", None),
    ("UPDATE t SET n = n + 1.5 WHERE k = 'b'", None),
    ("UPDATE t SET b = 1 WHERE k = 'a'", None),
    ("UPDATE t SET b = %s WHERE k = %s", [False, "a"]),
    ("UPDATE t SET b = NOT b WHERE k = 'a'", None),
    ("UPDATE t SET n = b WHERE k = 'a'", None),
    ("UPDATE t SET v = n WHERE k = 'a'", None),
    ("UPDATE t SET n = v WHERE k = 'a'", None),
    ("UPDATE t SET big = big + 1 WHERE k = 'a'", None),
    ("UPDATE t SET big = big + 2 WHERE k = 'a'", None),
    ("UPDATE t SET big = big - 2 WHERE k = 'c'", None),
    ("UPDATE t SET big = big + 1 WHERE k = 'b'", None),
    ("UPDATE t SET s = s + 1 WHERE k = 'c'", None),
    ("UPDATE t SET s = s + 2 WHERE k = 'c'", None),
    ("UPDATE t SET c = 0 WHERE k = 'a'", None),
    ("UPDATE t SET c = c - 1 WHERE k = 'b'", None),
    ("UPDATE t SET k = 'b' WHERE k = 'a'", None),
    ("UPDATE t SET k = 'q' WHERE k = 'a'", None),
    ("UPDATE t SET k = 'q' WHERE k = 'b'", None),
    ("UPDATE t SET v = 'gone' WHERE k = 'nope'", None),
    ("UPDATE t SET v = v WHERE k = 'a' RETURNING k, v, n", None),
    ("UPDATE t SET n = n + 1 WHERE k = 'a' RETURNING n, n * 2 AS twice", None),
    ("UPDATE t AS m SET n = m.n + 5 WHERE m.k = 'a'", None),
    ("UPDATE t AS m SET n = t.n + 5 WHERE m.k = 'a'", None),
    ("UPDATE t SET nope = 1 WHERE k = 'a'", None),
    ("UPDATE t SET n = nope + 1 WHERE k = 'a'", None),
    ("UPDATE t SET v = DEFAULT WHERE k = 'a'", None),
    ("UPDATE t SET n = n + 1, n = 2 WHERE k = 'a'", None),
    ("UPDATE t SET (v, n) = ('pair', n + 10) WHERE k = 'a'", None),
    (
        "INSERT INTO t (k, v, n) VALUES (%s, %s, 1) ON CONFLICT (k) DO UPDATE SET v = excluded.v, n = t.n + 1",
        ["a", "seen"],
    ),
    (
        "INSERT INTO t (k, v, n) VALUES (%s, %s, 1) ON CONFLICT (k) DO UPDATE SET v = excluded.v, n = t.n + 1",
        ["fresh", "new"],
    ),
    ("INSERT INTO t (k, v, n) VALUES ('a', 'e', 4) ON CONFLICT (k) DO UPDATE SET n = excluded.n - t.n", None),
    ("INSERT INTO t (k, v, n) VALUES ('a', 'e', 4) ON CONFLICT (k) DO UPDATE SET n = n + 1", None),
    ("INSERT INTO t (k, v, n) VALUES ('a', 'e', 4) ON CONFLICT (k) DO UPDATE SET n = NULL", None),
    ("INSERT INTO t (k, v, n) VALUES ('a', 'e', 4) ON CONFLICT (k) DO UPDATE SET c = 0", None),
    ("INSERT INTO t (k, v, n) VALUES ('a', 'e', 4) ON CONFLICT (k) DO UPDATE SET k = 'b'", None),
    ("INSERT INTO t (k, v, n) VALUES ('a', 'e', 4) ON CONFLICT (k) DO UPDATE SET k = excluded.v", None),
    ("INSERT INTO t (k, v, n) VALUES ('a', 'e', 4) ON CONFLICT (k) DO UPDATE SET b = 1", None),
    ("INSERT INTO t (k, v, n) VALUES ('a', 'e', 4) ON CONFLICT (k) DO UPDATE SET v = 'w' WHERE t.n > 100", None),
    ("INSERT INTO t (k, v, n) VALUES ('a', 'e', 4) ON CONFLICT (k) DO UPDATE SET v = excluded.v RETURNING *", None),
    ("INSERT INTO t (k, v, n) VALUES ('a', 'e', 4) ON CONFLICT (k) DO NOTHING RETURNING k", None),
    ("INSERT INTO t (k, v, n) VALUES ('a', 'e', 4), ('z', 'f', 5) ON CONFLICT (k) DO UPDATE SET v = excluded.v", None),
    ("INSERT INTO t (k, v, n) VALUES ('a', 'e', 4), ('a', 'f', 5) ON CONFLICT (k) DO UPDATE SET v = excluded.v", None),
    ("INSERT INTO t (k, v, n) VALUES ('a', 'e', 4), ('a', 'f', 5) ON CONFLICT (k) DO NOTHING", None),
    ("INSERT INTO t (k, v, n) VALUES ('a', 'e', NULL) ON CONFLICT (k) DO UPDATE SET v = excluded.v", None),
    ("INSERT INTO t (k, v, n) VALUES ('a', 'e', 'x') ON CONFLICT (k) DO UPDATE SET v = excluded.v", None),
    ("INSERT INTO t (k, v, n, c) VALUES ('y', 'e', 1, 0) ON CONFLICT (k) DO UPDATE SET v = excluded.v", None),
    ("INSERT INTO t (k, v, n) VALUES ('a', 'e', 4) ON CONFLICT DO UPDATE SET v = excluded.v", None),
    ("INSERT INTO t (k, v, n) VALUES ('a', 'e', 4) ON CONFLICT (k) DO UPDATE SET big = t.big + 1", None),
    ("INSERT INTO t (k, v, n) VALUES ('c', 'e', 4) ON CONFLICT (k) DO UPDATE SET big = t.big - 2", None),
    ("INSERT INTO t (k, v, n) VALUES ('a', 'e', 4) ON CONFLICT (k) DO UPDATE SET s = excluded.s", None),
    ("INSERT INTO child VALUES (2, 'nope')", None),
    ("INSERT INTO child VALUES (1, 'b') ON CONFLICT (id) DO UPDATE SET k = excluded.k", None),
    ("INSERT INTO child VALUES (1, 'nope') ON CONFLICT (id) DO UPDATE SET k = excluded.k", None),
    ("UPDATE child SET k = 'nope' WHERE id = 1", None),
    ("UPDATE child SET k = NULL WHERE id = 1", None),
]


def _fast_paths_off(monkeypatch) -> None:
    monkeypatch.setattr(dml, "evaluate_assignments", lambda *args: None)
    monkeypatch.setattr(dml, "_FEW_KEYS", -1)


def _outcome(conn, sql: str, params) -> tuple:
    try:
        cursor = conn.execute(sql, params)
    except agentlake.Error as err:
        return ("error", err.sqlstate, str(err))
    rows = cursor.fetchall() if cursor.description else None
    return ("ok", cursor.rowcount, rows)


def _tables(conn) -> tuple:
    return (
        conn.execute("SELECT * FROM t ORDER BY k").fetchall(),
        conn.execute("SELECT * FROM child ORDER BY id").fetchall(),
    )


def _run(path, monkeypatch, fast: bool, script: list[tuple], in_transaction: bool) -> list:
    with monkeypatch.context() as patch:
        if not fast:
            _fast_paths_off(patch)
        conn = agentlake.connect(str(path))
        for statement in SETUP:
            conn.execute(statement)
        if in_transaction:
            conn.execute("BEGIN")
        seen = [(_outcome(conn, sql, params), _tables(conn)) for sql, params in script]
        if in_transaction:
            conn.execute("COMMIT")
        seen.append(_tables(conn))
        conn.close()
        return seen


@pytest.mark.parametrize("index", range(len(STATEMENTS)))
def test_one_statement_as_the_planned_path(tmp_path, monkeypatch, index):
    script = [STATEMENTS[index]]
    planned = _run(tmp_path / "planned", monkeypatch, False, script, in_transaction=False)
    assert _run(tmp_path / "fast", monkeypatch, True, script, in_transaction=False) == planned


def test_statements_in_sequence_as_the_planned_path(tmp_path, monkeypatch):
    """Each statement sees what the ones before it wrote (autocommit)."""
    planned = _run(tmp_path / "planned", monkeypatch, False, STATEMENTS, in_transaction=False)
    assert _run(tmp_path / "fast", monkeypatch, True, STATEMENTS, in_transaction=False) == planned


def test_own_writes_in_a_transaction_as_the_planned_path(tmp_path, monkeypatch):
    """Inside one transaction the key lookups see its own earlier writes; errors leave it failed
    on both paths alike, so the statements without errors run there."""
    script = [
        ("INSERT INTO t (k, v, n) VALUES ('m', 'one', 1)", None),
        ("UPDATE t SET n = n + 1 WHERE k = 'm'", None),
        ("INSERT INTO t (k, v, n) VALUES ('m', 'two', 1) ON CONFLICT (k) DO UPDATE SET n = t.n + 10", None),
        ("UPDATE t SET k = 'm2' WHERE k = 'm'", None),
        ("INSERT INTO t (k, v, n) VALUES ('m', 'three', 1) ON CONFLICT (k) DO UPDATE SET n = t.n + 100", None),
        ("UPDATE t SET v = %s WHERE k = %s", ["again", "m2"]),
        ("DELETE FROM t WHERE k = 'm2'", None),
        ("UPDATE t SET v = 'none' WHERE k = 'm2'", None),
        ("INSERT INTO t (k, v, n) VALUES ('m2', 'back', 1) ON CONFLICT (k) DO UPDATE SET n = t.n + 1000", None),
    ]
    planned = _run(tmp_path / "planned", monkeypatch, False, script, in_transaction=True)
    assert _run(tmp_path / "fast", monkeypatch, True, script, in_transaction=True) == planned
