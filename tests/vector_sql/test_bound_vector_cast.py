"""A bound query vector cast to vector (``$1::vector``, how wire clients send it) takes the top-k
path and answers as the planned path does; a cast to another type or dimension is left to the
planner. The planned answer is the same query written so that no top-k path can take it
(``ORDER BY (distance) + 0``)."""

from __future__ import annotations

import numpy as np
import pytest

import agentlake

QUERY = [0.5, -1.0, 2.0]


@pytest.fixture
def db(tmp_path):
    conn = agentlake.connect(str(tmp_path / "repo"))
    conn.execute("CREATE TABLE t (id bigint PRIMARY KEY, g int, e vector(3))")
    rows = np.random.default_rng(3).standard_normal((60, 3)).round(3).tolist()
    values = ", ".join(f"({i}, {i % 4}, '{rows[i]}')" for i in range(60))
    conn.execute(f"INSERT INTO t VALUES {values}, (60, 1, NULL)")
    yield conn
    conn.close()


def _answer(db, sql: str, params) -> tuple:
    try:
        return ("rows", db.execute(sql, params).fetchall())
    except agentlake.Error as err:
        return ("error", err.sqlstate, str(err))


@pytest.mark.parametrize("operator", ["<->", "<=>", "<#>", "<+>"])
@pytest.mark.parametrize("value", [np.array(QUERY, dtype=np.float32), QUERY, str(QUERY)])
def test_cast_bound_vector_answers_as_planned(db, operator, value):
    topk = f"SELECT id, e {operator} %s::vector AS d FROM t WHERE g <> 2 ORDER BY e {operator} %s::vector LIMIT 7"
    planned = f"SELECT id, e {operator} %s::vector AS d FROM t WHERE g <> 2 ORDER BY (e {operator} %s::vector) + 0, id LIMIT 7"
    got, want = _answer(db, topk, [value, value]), _answer(db, planned, [value, value])
    assert got[0] == want[0] == "rows"
    assert [(i, round(d, 5)) for i, d in got[1]] == [(i, round(d, 5)) for i, d in want[1]]


@pytest.mark.parametrize("cast", ["vector", "vector(3)", "vector(2)", "halfvec"])
def test_other_casts_answer_as_planned(db, cast):
    value = np.array(QUERY, dtype=np.float32)
    topk = f"SELECT id FROM t ORDER BY e <-> %s::{cast} LIMIT 5"
    planned = f"SELECT id FROM t ORDER BY (e <-> %s::{cast}) + 0, id LIMIT 5"
    got, want = _answer(db, topk, [value]), _answer(db, planned, [value])
    assert got[0] == want[0]
    if got[0] == "error":
        assert got[1] == want[1]
    else:
        assert got == want
