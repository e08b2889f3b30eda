"""A query vector sent as a parameter (``%s::vector``, as psycopg and pgvector's adapters send it)
is bound by the server as a vector; the top-k it asks for answers as the planned query does."""

from __future__ import annotations

import psycopg


def test_wire_clients_sending_vectors_get_the_same_rows(server):
    query = "[0.5,-1,2]"
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE t (id bigint PRIMARY KEY, e vector(3))")
        conn.execute("INSERT INTO t VALUES (1, '[1,0,0]'), (2, '[0,1,0]'), (3, '[0.5,-1,2]'), (4, NULL)")
        rows = conn.execute("SELECT id FROM t ORDER BY e <-> %s::vector LIMIT 3", [query]).fetchall()
        planned = conn.execute("SELECT id FROM t ORDER BY (e <-> %s::vector) + 0, id LIMIT 3", [query]).fetchall()
        assert rows == planned == [(3,), (1,), (2,)]
