"""SQL through the public API on every storage backend: local disk, memory:// and S3 (moto on
loopback). Tables of vectors and jsonb are read through DataFusion's Parquet scans on local disk
and through the catalog's fsspec reader elsewhere; the answers must not depend on which."""

from __future__ import annotations

import agentlake


def _connect(backend, branch: str = "main") -> agentlake.Connection:
    return agentlake.connect(backend.url, branch, storage_options=backend.options or None)


def test_writes_reads_branches_and_vector_search(backend):
    db = _connect(backend)
    db.execute("CREATE TABLE notes (id int PRIMARY KEY, body text, meta jsonb, e vector(3))")
    db.execute("""INSERT INTO notes VALUES (1, 'a', '{"k": 1}', '[1,2,3]'), (2, 'b', '{"k": 2}', '[1,1,1]')""")
    db.execute("""INSERT INTO notes VALUES (3, 'c', '{"k": 3}', '[0,0,1]')""")
    db.execute("UPDATE notes SET body = 'z' WHERE id = 1")
    db.execute("DELETE FROM notes WHERE id = 3")
    assert db.execute("SELECT id, body, meta ->> 'k' FROM notes ORDER BY id").fetchall() == [
        (1, "z", "1"),
        (2, "b", "2"),
    ]
    assert db.execute("SELECT id FROM notes ORDER BY e <-> '[1,1,1]'").fetchall() == [(2,), (1,)]
    assert db.execute("SELECT id FROM notes ORDER BY e <-> '[1,2,3]' LIMIT 1").fetchall() == [(1,)]

    agent = _connect(backend, "agent-1")
    agent.execute("""INSERT INTO notes VALUES (4, 'd', '{"k": 4}', '[4,4,4]')""")
    agent.merge("main")
    reopened = _connect(backend)
    assert reopened.execute("SELECT id FROM notes ORDER BY id").fetchall() == [(1,), (2,), (4,)]
    assert reopened.execute("SELECT count(*) FROM notes WHERE meta @> '{\"k\": 4}'").fetchone() == (1,)
