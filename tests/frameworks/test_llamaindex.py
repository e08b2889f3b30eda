"""LlamaIndex's ``PGVectorStore`` (llama-index-vector-stores-postgres) as its guide uses it:
from_params with HNSW options, add nodes with metadata and a source document, query with and
without metadata filters, delete_nodes, delete (by source document, through its expression index
on ``metadata_->>'ref_doc_id'``), get_nodes, clear; sync (psycopg2) and async (asyncpg); the same
answers on agentlake and PostgreSQL 16 + pgvector."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from .corpus import DOCUMENTS, assert_same_steps
from .embeddings import DIMENSIONS, embed

pytest.importorskip("llama_index.vector_stores.postgres")
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode  # noqa: E402
from llama_index.core.vector_stores.types import (  # noqa: E402
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
    VectorStoreQuery,
)
from llama_index.vector_stores.postgres import PGVectorStore  # noqa: E402

pytestmark = pytest.mark.timeout(180)
HNSW = {"hnsw_m": 16, "hnsw_ef_construction": 64, "hnsw_ef_search": 40, "hnsw_dist_method": "vector_cosine_ops"}


def _store(target) -> PGVectorStore:
    return PGVectorStore.from_params(
        connection_string=target.url("psycopg2"),
        async_connection_string=target.url("asyncpg"),
        table_name="items",
        embed_dim=DIMENSIONS,
        hnsw_kwargs=HNSW,
    )


def _nodes() -> list[TextNode]:
    return [
        TextNode(
            text=text,
            id_=f"n{i}",
            embedding=embed(text),
            metadata={"n": i, "location": location, "topic": topic},
            relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=f"doc{i % 3}")},
        )
        for i, (text, location, topic) in enumerate(DOCUMENTS)
    ]


def _hits(result) -> list[tuple[str, float]]:
    return list(zip(result.ids, [float(s) for s in result.similarities]))


def sync_steps(target) -> dict[str, Any]:
    store = _store(target)
    steps: dict[str, Any] = {"add": store.add(_nodes())}
    steps["query"] = _hits(store.query(VectorStoreQuery(query_embedding=embed("cats in the pond"), similarity_top_k=4)))
    where = MetadataFilters(
        filters=[
            MetadataFilter(key="n", value=1, operator=FilterOperator.GT),
            MetadataFilter(key="location", value=["market", "pond", "library"], operator=FilterOperator.IN),
        ]
    )
    steps["filtered"] = _hits(
        store.query(VectorStoreQuery(query_embedding=embed("fresh"), similarity_top_k=3, filters=where))
    )
    store.delete_nodes(node_ids=["n3"])
    store.delete("doc0")
    steps["after_delete"] = store.query(VectorStoreQuery(query_embedding=embed("fresh"), similarity_top_k=10)).ids
    steps["get_nodes"] = sorted(node.node_id for node in store.get_nodes(node_ids=["n1", "n2", "n3"]))
    store.clear()
    steps["after_clear"] = store.query(VectorStoreQuery(query_embedding=embed("fresh"), similarity_top_k=3)).ids
    return steps


async def async_steps(target) -> dict[str, Any]:
    store = _store(target)
    steps: dict[str, Any] = {"add": await store.async_add(_nodes())}
    steps["query"] = _hits(
        await store.aquery(VectorStoreQuery(query_embedding=embed("the market"), similarity_top_k=3))
    )
    await store.adelete_nodes(node_ids=["n2"])
    steps["after_delete"] = (
        await store.aquery(VectorStoreQuery(query_embedding=embed("market"), similarity_top_k=3))
    ).ids
    await store.aclear()
    return steps


def test_pgvectorstore_sync(targets):
    lake, postgres = targets
    assert_same_steps(sync_steps(lake), sync_steps(postgres))


def test_pgvectorstore_async(targets):
    lake, postgres = targets
    assert_same_steps(asyncio.run(async_steps(lake)), asyncio.run(async_steps(postgres)))
