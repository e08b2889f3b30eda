"""The DDL and catalog forms the framework libraries emit, each compared with PostgreSQL 16 +
pgvector: a ``vector`` column without a dimension (LangChain's PGVector) holding vectors of
different lengths, a GIN index on jsonb with ``jsonb_path_ops``, a B-tree index on an expression
(LlamaIndex), and ``pg_get_indexdef(index, column, pretty)`` naming each key (SQLAlchemy's
reflection)."""

from __future__ import annotations

import psycopg
import pytest

pytestmark = pytest.mark.timeout(120)

SETUP = [
    "CREATE TABLE emb (id int PRIMARY KEY, embedding vector, cmetadata jsonb)",
    "INSERT INTO emb VALUES (1, '[1,2,3]', '{\"k\": \"a\"}'), (2, '[1,0]', '{\"k\": \"b\"}'), (3, NULL, NULL)",
    "CREATE INDEX ix_cmetadata_gin ON emb USING gin (cmetadata jsonb_path_ops)",
    "CREATE INDEX emb_k ON emb USING btree ((cmetadata ->> 'k'))",
]
QUERIES = [
    "SELECT id, embedding::text, vector_dims(embedding) FROM emb ORDER BY id",
    'SELECT id FROM emb WHERE cmetadata @> \'{"k": "b"}\' ORDER BY id',
    "SELECT id, embedding <-> '[1,1,1]' FROM emb WHERE id = 1",
    "SELECT indexname FROM pg_indexes WHERE tablename = 'emb' ORDER BY indexname",
    "SELECT i.relname, pg_get_indexdef(x.indexrelid, 1, true) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
    "JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = 'emb' AND i.relname LIKE 'ix%' ORDER BY 1",
]


def _answers(dsn: str) -> list[list[tuple]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for statement in SETUP:
            conn.execute(statement)
        return [conn.execute(query).fetchall() for query in QUERIES]


def test_forms_answer_as_postgres(targets):
    lake, postgres = targets
    ours, theirs = _answers(lake.dsn), _answers(postgres.dsn)
    for query, mine, reference in zip(QUERIES, ours, theirs):
        assert mine == reference, query


def test_index_on_a_vector_without_dimensions_is_refused(targets):
    for target in targets:
        with psycopg.connect(target.dsn, autocommit=True) as conn:
            conn.execute("CREATE TABLE free (id int, embedding vector)")
            with pytest.raises(psycopg.errors.InternalError_, match="column does not have dimensions"):
                conn.execute("CREATE INDEX ON free USING hnsw (embedding vector_l2_ops)")
