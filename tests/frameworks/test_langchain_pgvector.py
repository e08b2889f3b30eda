"""LangChain's ``PGVector`` (langchain-postgres, psycopg 3), sync and async, as its quickstart uses it:
a collection, add_documents with ids, similarity search with and without metadata filters (its
JSONB operators: $in, $and, $or, $ilike, $exists, $nin, $between), MMR, delete, get_by_ids; the
same answers on agentlake and PostgreSQL 16 + pgvector."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from .corpus import DOCUMENTS, assert_same_steps
from .embeddings import embed

pytest.importorskip("langchain_postgres")
from langchain_core.documents import Document  # noqa: E402
from langchain_core.embeddings import Embeddings  # noqa: E402
from langchain_postgres import PGVector  # noqa: E402

pytestmark = pytest.mark.timeout(180)

FILTERS = {
    "in": {"id": {"$in": [1, 5, 2, 9]}},
    "and": {"$and": [{"id": {"$in": [1, 5, 2, 9]}}, {"location": {"$in": ["pond", "market"]}}]},
    "ilike_gte": {"location": {"$ilike": "%MARK%"}, "id": {"$gte": 2}},
    "or_exists": {"$or": [{"topic": {"$eq": "food"}}, {"location": {"$exists": False}}]},
    "nin_between": {"topic": {"$nin": ["food", "art"]}, "id": {"$between": [1, 8]}},
}


class HashEmbeddings(Embeddings):
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [embed(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return embed(text)


def _documents() -> list[Document]:
    return [
        Document(page_content=text, metadata={"id": i, "location": location, "topic": topic})
        for i, (text, location, topic) in enumerate(DOCUMENTS)
    ]


def _ids(docs: list[Document]) -> list[str]:
    return [doc.id for doc in docs]


def sync_steps(url: str) -> dict[str, Any]:
    store = PGVector(embeddings=HashEmbeddings(), collection_name="my_docs", connection=url, use_jsonb=True)
    docs = _documents()
    store.add_documents(docs, ids=[f"doc{doc.metadata['id']}" for doc in docs])
    steps: dict[str, Any] = {
        "search_with_score": [
            (doc.id, score) for doc, score in store.similarity_search_with_score("kitty in the pond", k=4)
        ],
        "metadata": [doc.metadata for doc in store.similarity_search("market", k=2)],
    }
    for name, where in FILTERS.items():
        steps[f"filter_{name}"] = _ids(store.similarity_search("fresh ducks", k=10, filter=where))
    steps["mmr"] = _ids(store.max_marginal_relevance_search("the market", k=3, fetch_k=6))
    store.delete(ids=["doc0", "doc3"])
    steps["after_delete"] = _ids(store.similarity_search("pond market", k=10))
    steps["get_by_ids"] = sorted(_ids(store.get_by_ids(["doc1", "doc3", "doc4"])))
    store.delete_collection()
    return steps


async def async_steps(url: str) -> dict[str, Any]:
    store = PGVector(
        embeddings=HashEmbeddings(), collection_name="async_docs", connection=url, use_jsonb=True, async_mode=True
    )
    docs = _documents()
    await store.aadd_documents(docs, ids=[f"doc{doc.metadata['id']}" for doc in docs])
    steps: dict[str, Any] = {
        "search_with_score": [
            (doc.id, score) for doc, score in await store.asimilarity_search_with_score("kitty in the pond", k=4)
        ],
    }
    for name, where in FILTERS.items():
        steps[f"filter_{name}"] = _ids(await store.asimilarity_search("fresh ducks", k=10, filter=where))
    steps["mmr"] = _ids(await store.amax_marginal_relevance_search("the market", k=3, fetch_k=6))
    await store.adelete(ids=["doc1"])
    steps["after_delete"] = _ids(await store.asimilarity_search("pond", k=3))
    return steps


def test_pgvector_sync_quickstart(targets):
    lake, postgres = targets
    assert_same_steps(sync_steps(lake.url("psycopg")), sync_steps(postgres.url("psycopg")))


def test_pgvector_async_quickstart(targets):
    lake, postgres = targets
    assert_same_steps(asyncio.run(async_steps(lake.url("psycopg"))), asyncio.run(async_steps(postgres.url("psycopg"))))
