"""Over the wire, a filtered top-k that statistics narrow to an agent's own files answers what the
WHERE clause alone keeps, and EXPLAIN ANALYZE says how many files it left out."""

from __future__ import annotations

import numpy as np
import psycopg

DIM = 4


def _vector(values: np.ndarray) -> str:
    return "[" + ",".join(repr(float(x)) for x in values) + "]"


def test_an_agents_search_over_the_wire_leaves_out_other_agents_files(server):
    vectors = np.random.default_rng(5).normal(size=(60, DIM)).astype(np.float32)
    query = _vector(np.random.default_rng(6).normal(size=DIM))
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute(f"CREATE TABLE memory (id int PRIMARY KEY, agent int, embedding vector({DIM}))")
        for agent in range(3):  # one statement, so one file, per agent
            ids = range(agent * 20, agent * 20 + 20)
            conn.execute(
                "INSERT INTO memory VALUES " + ", ".join(["(%s, %s, %s::vector)"] * len(ids)),
                [value for i in ids for value in (i, agent, _vector(vectors[i]))],
            )
        sql = "SELECT id FROM memory WHERE agent = %s ORDER BY embedding <-> %s::vector LIMIT 3"
        found = [r[0] for r in conn.execute(sql, [1, query]).fetchall()]
        expected = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM (SELECT id, embedding <-> %s::vector AS d FROM memory WHERE agent = %s) s "
                "ORDER BY d, id LIMIT 3",
                [query, 1],
            ).fetchall()
        ]
        plan = [r[0] for r in conn.execute(f"EXPLAIN ANALYZE {sql}", [1, query]).fetchall()]
        nothing = conn.execute(sql, [7, query]).fetchall()
    assert found == expected and len(found) == 3
    assert any("2 of 3 files excluded by their statistics" in line for line in plan), plan
    assert nothing == []
