"""Hybrid retrieval in one SQL statement through a real server: pgvector distance and text rank
fused by reciprocal rank fusion in CTEs, as LlamaIndex's and mem0's PostgreSQL stores query; and
tsvector / tsquery reach clients with PostgreSQL's type OIDs, decoded as text."""

from __future__ import annotations

import asyncio

import numpy as np
import psycopg
import pytest

asyncpg = pytest.importorskip("asyncpg")

HYBRID = """
WITH v AS (SELECT id, row_number() OVER (ORDER BY embedding <=> %(q)s) AS r
           FROM docs ORDER BY embedding <=> %(q)s LIMIT 20),
     t AS (SELECT id, row_number() OVER (ORDER BY ts_rank_cd(tsv, q) DESC, id) AS r
           FROM docs, plainto_tsquery('english', %(text)s) q WHERE tsv @@ q ORDER BY r LIMIT 20)
SELECT coalesce(v.id, t.id) AS id, coalesce(1.0 / (60 + v.r), 0.0) + coalesce(1.0 / (60 + t.r), 0.0) AS score
FROM v FULL OUTER JOIN t ON v.id = t.id
ORDER BY score DESC, id
LIMIT 10
"""


def _vector_text(values) -> str:
    return "[" + ",".join(f"{v:.7g}" for v in values) + "]"


@pytest.fixture
def loaded_server(make_server, glosses):
    server = make_server()
    subset = glosses.slice(0, 300)
    rows = [
        (i, g, _vector_text(e))
        for i, g, e in zip(
            subset.column("id").to_pylist(), subset.column("gloss").to_pylist(), subset.column("embedding").to_pylist()
        )
    ]
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE docs (id int primary key, body text, embedding vector(384), tsv tsvector)")
        conn.cursor().executemany("INSERT INTO docs (id, body, embedding) VALUES (%s, %s, %s)", rows)
        conn.execute("UPDATE docs SET tsv = to_tsvector('english', body)")
        conn.execute("CREATE INDEX docs_tsv ON docs USING gin (tsv)")
    return server, subset


def _expected(conn, subset, query_vector: np.ndarray, text: str) -> list[int]:
    """The fusion worked out in Python from the two rankings, each asked for on its own."""
    vectors = np.array(subset.column("embedding").to_pylist(), dtype=np.float32)
    ids = subset.column("id").to_pylist()
    cosine = 1 - vectors @ query_vector / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(query_vector))
    by_vector = [ids[i] for i in np.argsort(cosine, kind="stable")[:20]]
    by_text = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM docs, plainto_tsquery('english', %s) q WHERE tsv @@ q "
            "ORDER BY ts_rank_cd(tsv, q) DESC, id LIMIT 20",
            (text,),
        ).fetchall()
    ]
    score: dict[int, float] = {}
    for ranking in (by_vector, by_text):
        for rank, doc in enumerate(ranking, 1):
            score[doc] = score.get(doc, 0.0) + 1.0 / (60 + rank)
    return sorted(score, key=lambda d: (-score[d], d))[:10]


def test_reciprocal_rank_fusion_in_one_query(loaded_server):
    server, subset = loaded_server
    query_vector = np.array(subset.column("embedding")[7].as_py(), dtype=np.float32)
    text = "small plant or animal"
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        found = conn.execute(HYBRID, {"q": _vector_text(query_vector), "text": text}).fetchall()
        assert [r[0] for r in found] == _expected(conn, subset, query_vector, text)
        assert found[0][0] == subset.column("id")[7].as_py()  # its own embedding, and its words
        assert all(a[1] >= b[1] for a, b in zip(found, found[1:]))


def test_text_search_types_on_the_wire(loaded_server):
    server, _ = loaded_server
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        cur = conn.execute("SELECT tsv, to_tsquery('fat & rats'), ts_rank(tsv, 'rat') FROM docs WHERE id = 0")
        assert [d.type_code for d in cur.description] == [3614, 3615, 700]
        row = cur.fetchone()
        assert isinstance(row[0], str) and row[1] == "'fat' & 'rat'"

    async def with_asyncpg():
        conn = await asyncpg.connect(host="127.0.0.1", port=server.port, user="alice", database=server.database)
        try:
            return await conn.fetchrow(
                "SELECT to_tsvector('english', $1) AS v, plainto_tsquery($2) AS q", "The Fat Rats", "fat rats"
            )
        finally:
            await conn.close()

    row = asyncio.run(with_asyncpg())
    assert (row["v"], row["q"]) == ("'fat':2 'rat':3", "'fat' & 'rat'")
