"""LangChain's ``PGVectorStore`` / ``PGEngine`` (langchain-postgres v2, asyncpg by default) as its guide
uses it: init_vectorstore_table with metadata columns, add documents with UUID ids, search with
scores and with filters on metadata columns ($in, $gt, $nin), an HNSW index, MMR, delete,
get_by_ids; the same answers on agentlake and PostgreSQL 16 + pgvector."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from .corpus import DOCUMENTS, assert_same_steps
from .embeddings import DIMENSIONS
from .test_langchain_pgvector import HashEmbeddings

pytest.importorskip("langchain_postgres")
from langchain_core.documents import Document  # noqa: E402
from langchain_postgres import Column, PGEngine, PGVectorStore  # noqa: E402
from langchain_postgres.v2.indexes import HNSWIndex  # noqa: E402

pytestmark = pytest.mark.timeout(180)


async def steps(url: str) -> dict[str, Any]:
    engine = PGEngine.from_connection_string(url=url)
    await engine.ainit_vectorstore_table(
        table_name="vs_table",
        vector_size=DIMENSIONS,
        metadata_columns=[Column("location", "TEXT"), Column("n", "INTEGER")],
    )
    store = await PGVectorStore.create(
        engine=engine, table_name="vs_table", embedding_service=HashEmbeddings(), metadata_columns=["location", "n"]
    )
    ids = [str(uuid.UUID(int=i + 1)) for i in range(len(DOCUMENTS))]
    await store.aadd_documents(
        [
            Document(page_content=text, metadata={"location": location, "n": i, "topic": topic})
            for i, (text, location, topic) in enumerate(DOCUMENTS)
        ],
        ids=ids,
    )
    found: dict[str, Any] = {
        "search_with_score": [
            (doc.id, score) for doc, score in await store.asimilarity_search_with_score("cats in the pond", k=3)
        ],
        "filter_in_gt": [
            doc.id
            for doc in await store.asimilarity_search(
                "fresh", k=5, filter={"location": {"$in": ["market", "pond"]}, "n": {"$gt": 0}}
            )
        ],
        "filter_nin": [doc.id for doc in await store.asimilarity_search("fresh", k=5, filter={"n": {"$nin": [1, 2]}})],
    }
    await store.aapply_vector_index(HNSWIndex())
    found["mmr"] = [doc.id for doc in await store.amax_marginal_relevance_search("market pond", k=2, fetch_k=4)]
    await store.adelete(ids=ids[:2])
    found["get_by_ids"] = sorted(doc.id for doc in await store.aget_by_ids(ids[:4]))
    found["metadata"] = [doc.metadata for doc in await store.asimilarity_search("fresh", k=2)]
    await engine.close()
    return found


def test_pgvectorstore_quickstart(targets):
    lake, postgres = targets
    assert_same_steps(asyncio.run(steps(lake.url("asyncpg"))), asyncio.run(steps(postgres.url("asyncpg"))))
