"""Counts over small tables answered in Arrow compute equal the planned answers.

engine/small_counts.py answers ``SELECT count(*) | count(col) FROM t [WHERE simple filter]`` from
the decoded rows of a small table without DataFusion. Random predicates over NULLs, NaN, deleted
rows, several files and a transaction's own writes must give what the planned path gives (rows,
column names and types, errors), and EXPLAIN ANALYZE says which path ran.
"""

from __future__ import annotations

import random

import pytest

import agentlake
from agentlake.engine import small_counts
from agentlake.executors.local import snapshot_tables

SETUP = [
    "CREATE TABLE m (k text PRIMARY KEY, v text, n int, big bigint, f double precision, day date, ok boolean)",
    "INSERT INTO m VALUES ('a', 'apple', 1, 10, 1.5, '2024-01-02', true), ('b', NULL, 2, NULL, NULL, NULL, NULL),"
    " ('c', 'cherry', NULL, -5, 'NaN', '1999-12-31', false)",
    *[
        f"INSERT INTO m (k, v, n, big, f, ok) VALUES ('r{i}', 'row {i}', {i % 7}, {i * 3}, {i / 4}, {str(i % 2 == 0).lower()})"
        for i in range(25)
    ],
    "UPDATE m SET n = n + 100 WHERE k = 'r3'",
    "DELETE FROM m WHERE k IN ('r4', 'r5')",
    "DELETE FROM m WHERE n = 6",
]

_ATOMS = [
    "n > {i}",
    "n <= {i}",
    "n = {i}",
    "n <> {i}",
    "big >= {i}",
    "f < {i}",
    "f > {i}",
    "v LIKE 'row 1%'",
    "v NOT LIKE '%e%'",
    "v ILIKE 'ROW%'",
    "v = 'apple'",
    "v IS NULL",
    "n IS NOT NULL",
    "ok",
    "NOT ok",
    "n IN (1, 2, {i})",
    "n BETWEEN 1 AND {i}",
    "day > '2000-01-01'",
    "k > 'r1'",
    "n > 'x'",
    "m.n < {i}",
    "n + 1 > {i}",
]


def _predicate(rng: random.Random, depth: int = 0) -> str:
    if depth < 2 and rng.random() < 0.4:
        op = rng.choice(["AND", "OR"])
        return f"({_predicate(rng, depth + 1)} {op} {_predicate(rng, depth + 1)})"
    atom = rng.choice(_ATOMS).format(i=rng.randint(-1, 8))
    return f"NOT ({atom})" if rng.random() < 0.15 else atom


def _queries(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    selects = ["count(*)", "count(v)", "count(f) AS c, count(*)", "count(n), count(day) AS days", "count(nope)"]
    out = ["SELECT count(*) FROM m", "SELECT count(*) AS total FROM m AS x WHERE x.n > 2"]
    for _ in range(count):
        out.append(f"SELECT {rng.choice(selects)} FROM m WHERE {_predicate(rng)}")
    return out


def _answer(conn, sql: str) -> tuple:
    try:
        cursor = conn.execute(sql)
        return [(d[0], d[1]) for d in cursor.description], cursor.fetchall()
    except agentlake.Error as err:
        return type(err).__name__, getattr(err, "sqlstate", None)


def _answers(path, monkeypatch, fast: bool, queries: list[str], own_writes: bool) -> list:
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(small_counts, "small_count", lambda runner, stmt: None)
        conn = agentlake.connect(path)
        for sql in SETUP:
            conn.execute(sql)
        if own_writes:
            conn.execute("BEGIN")
            conn.execute("INSERT INTO m (k, v, n) VALUES ('t1', 'mine', 3), ('t2', NULL, NULL)")
            conn.execute("DELETE FROM m WHERE k = 'a'")
        answers = [_answer(conn, sql) for sql in queries]
        conn.close()
        return answers


@pytest.mark.parametrize("own_writes", [False, True], ids=["committed", "own-writes"])
def test_random_counts_equal_the_planned_answers(tmp_path, monkeypatch, own_writes):
    queries = _queries(seed=17, count=120)
    planned = _answers(tmp_path / "planned", monkeypatch, False, queries, own_writes)
    fast = _answers(tmp_path / "fast", monkeypatch, True, queries, own_writes)
    for sql, want, got in zip(queries, planned, fast):
        assert got == want, sql


def test_explain_analyze_names_the_arrow_path_and_declines_what_it_cannot_answer(tmp_path):
    conn = agentlake.connect(tmp_path / "repo")
    for sql in SETUP:
        conn.execute(sql)

    def route(sql: str) -> str:
        return next(r[0] for r in conn.execute(f"EXPLAIN ANALYZE {sql}").fetchall() if "route" in r[0])

    assert small_counts.ROUTE in route("SELECT count(*) FROM m WHERE n > 2")
    assert small_counts.ROUTE in route("SELECT count(v) FROM m")
    assert small_counts.ROUTE in route("SELECT count(*) FROM m WHERE big > 0 AND v LIKE 'row%'")
    for declined in [
        "SELECT count(*) FROM m WHERE f > 1",  # a NaN meets the filter: PostgreSQL orders it above numbers
        "SELECT count(DISTINCT n) FROM m",
        "SELECT count(*) FROM m WHERE n + 1 > 2",
        "SELECT count(*) FROM m GROUP BY n",
        "SELECT count(*) FROM m LIMIT 1",
    ]:
        assert small_counts.ROUTE not in route(declined), declined
    conn.execute("SET agentlake.executor = 'dask'")
    assert small_counts.ROUTE not in route("SELECT count(*) FROM m")
    rows = conn.execute("SELECT k FROM m WHERE f > 1").fetchall()
    assert conn.execute("SELECT count(*) FROM m WHERE f > 1").fetchall() == [(len(rows),)]


def test_big_tables_are_planned(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshot_tables, "SMALL_TABLE_ROWS", 10)
    conn = agentlake.connect(tmp_path / "repo")
    for sql in SETUP:
        conn.execute(sql)
    plan = [r[0] for r in conn.execute("EXPLAIN ANALYZE SELECT count(*) FROM m WHERE n > 2").fetchall()]
    assert not any(small_counts.ROUTE in line for line in plan)
    rows = conn.execute("SELECT k FROM m WHERE n > 2").fetchall()
    assert conn.execute("SELECT count(*) FROM m WHERE n > 2").fetchall() == [(len(rows),)]


def test_counts_between_writes_follow_every_write(tmp_path):
    """A count right after a write reads the table's rows without registering them with DataFusion;
    writes, rollbacks and planned reads in any order must leave it counting the rows there are (a
    model of the table, kept beside it, says which)."""
    rng = random.Random(5)
    conn = agentlake.connect(tmp_path / "repo")
    for sql in SETUP:
        conn.execute(sql)
    model = dict(conn.execute("SELECT k, n FROM m").fetchall())
    saved, fresh = None, 0
    for _ in range(200):
        roll = rng.random()
        key = f"r{rng.randrange(25)}"
        if roll < 0.2:
            fresh += 1
            n = rng.randrange(8)
            conn.execute("INSERT INTO m (k, v, n) VALUES (%s, 'new', %s)", [f"n{fresh}", n])
            model[f"n{fresh}"] = n
        elif roll < 0.35:
            n = rng.randrange(8)
            conn.execute("UPDATE m SET n = %s WHERE k = %s", [n, key])
            if key in model:
                model[key] = n
        elif roll < 0.45:
            conn.execute("DELETE FROM m WHERE k = %s", [key])
            model.pop(key, None)
        elif roll < 0.55:
            if saved is None:
                conn.execute("BEGIN")
                saved = dict(model)
            elif rng.random() < 0.5:
                conn.execute("COMMIT")
                saved = None
            else:
                conn.execute("ROLLBACK")
                model, saved = saved, None
        elif roll < 0.6:
            conn.execute("SELECT v, count(*) FROM m GROUP BY v").fetchall()  # a plan registers the table
        else:
            bound = rng.randrange(8)
            counted = conn.execute("SELECT count(*) FROM m WHERE n > %s", [bound]).fetchone()[0]
            assert counted == sum(1 for n in model.values() if n is not None and n > bound)
    conn.close()


def test_a_new_sessions_first_count_then_plans_and_writes(tmp_path):
    """A session whose first statement is a count reads the table before it has a DataFusion
    session at all; its plans, writes and counts afterwards see the same rows (deleted ones
    included: an UPDATE deletes from the big file and the count masks that row)."""
    path = tmp_path / "repo"
    main = agentlake.connect(path)
    main.execute("CREATE TABLE m (k text PRIMARY KEY, n int)")
    main.execute("INSERT INTO m SELECT 'k' || i, i % 10 FROM generate_series(1, 2000) AS s(i)")
    main.close()
    agent = agentlake.connect(path, branch="agent")
    assert agent.execute("SELECT count(*) FROM m WHERE n > %s", [4]).fetchone() == (1000,)
    assert agent.execute("SELECT n, count(*) FROM m WHERE n > 7 GROUP BY n ORDER BY n").fetchall() == [
        (8, 200),
        (9, 200),
    ]
    agent.execute("UPDATE m SET n = NULL WHERE k = 'k9'")
    agent.execute("DELETE FROM m WHERE k IN ('k19', 'k20')")
    agent.execute("INSERT INTO m VALUES ('new', 9)")
    assert agent.execute("SELECT count(*), count(n) FROM m WHERE n > 4 OR n IS NULL").fetchone() == (1000, 999)
    assert agent.execute("SELECT count(n) FROM m").fetchone() == (1998,)
    planned = agent.execute("SELECT count(*) FROM (SELECT k FROM m WHERE n > 4 OR n IS NULL) AS s").fetchone()
    assert planned == (1000,)
    agent.close()
