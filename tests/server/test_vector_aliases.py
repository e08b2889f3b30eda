"""A vector column keeps its type under an alias (``t.embedding AS t_embedding``, as SQLAlchemy and
LangChain select it), with or without a dimension, while a cast to real[] stays an array."""

from __future__ import annotations

import psycopg

VECTOR_OID, FLOAT4_ARRAY_OID = 16390, 1021


def test_aliased_vector_columns_are_vectors(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE e (id int PRIMARY KEY, free vector, fixed vector(3))")
        conn.execute("INSERT INTO e VALUES (1, '[1,2,3]', '[4,5,6]')")
        cur = conn.execute(
            "SELECT e.free AS e_free, e.fixed AS e_fixed, e.free <=> '[1,1,1]' AS d, e.free::real[] AS arr FROM e"
        )
        assert [d.type_code for d in cur.description] == [VECTOR_OID, VECTOR_OID, 701, FLOAT4_ARRAY_OID]
        assert cur.fetchone()[:2] == ("[1,2,3]", "[4,5,6]")
