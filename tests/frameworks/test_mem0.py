"""mem0's ``Memory`` with its pgvector store, as its quickstart uses it: add memories for two users
(``infer=False``: stored as given, no LLM call), search with a user filter, get_all, update, get,
delete, delete_all, reset; the embedder is the offline hash embedding (mem0's ``EmbeddingBase``), the
LLM is never called. The same answers on agentlake and PostgreSQL 16 + pgvector."""

from __future__ import annotations

import os
from typing import Any

import pytest

from .embeddings import DIMENSIONS, embed

os.environ["MEM0_TELEMETRY"] = "False"  # read when mem0 is imported: no event leaves for its analytics host
pytest.importorskip("mem0")
from mem0 import Memory  # noqa: E402
from mem0.embeddings.base import EmbeddingBase  # noqa: E402

pytestmark = pytest.mark.timeout(180)
FACTS = [
    "I like cats and my cat is called Tom",
    "I am allergic to peanuts",
    "My favourite city is Lisbon",
    "I play tennis on Sundays",
]


class HashEmbedder(EmbeddingBase):
    def embed(self, text, memory_action=None) -> list[float]:
        return embed(text)


def steps(dsn: str, history: str) -> dict[str, Any]:
    memory = Memory.from_config(
        {
            "vector_store": {
                "provider": "pgvector",
                "config": {
                    "connection_string": dsn,
                    "collection_name": "memories",
                    "embedding_model_dims": DIMENSIONS,
                    "hnsw": True,
                },
            },
            # mem0 builds its configured clients at once; neither is called: the embedder is replaced
            # below and infer=False never asks the LLM
            "embedder": {"provider": "openai", "config": {"api_key": "offline"}},
            "llm": {"provider": "openai", "config": {"api_key": "offline"}},
            "history_db_path": history,
        }
    )
    memory.embedding_model = HashEmbedder()
    for fact in FACTS:
        memory.add(fact, user_id="alice", infer=False, metadata={"kind": "fact"})
    memory.add("Bob likes dogs", user_id="bob", infer=False)
    found = memory.search("what pets do I like", filters={"user_id": "alice"}, top_k=3)["results"]
    result: dict[str, Any] = {"search": [(hit["memory"], float(hit["score"])) for hit in found]}
    result["get_all"] = sorted(item["memory"] for item in memory.get_all(filters={"user_id": "alice"})["results"])
    first = found[0]["id"]
    memory.update(first, "I like cats, my cat is Tom and he is grey")
    result["get"] = memory.get(first)["memory"]
    memory.delete(first)
    result["after_delete"] = sorted(item["memory"] for item in memory.get_all(filters={"user_id": "alice"})["results"])
    memory.delete_all(user_id="alice")
    result["after_delete_all"] = [item["memory"] for item in memory.get_all(filters={"user_id": "bob"})["results"]]
    memory.reset()
    return result


def test_memory_quickstart(targets, tmp_path):
    lake, postgres = targets
    ours, theirs = steps(lake.dsn, str(tmp_path / "lake.db")), steps(postgres.dsn, str(tmp_path / "pg.db"))
    assert [m for m, _ in ours["search"]] == [m for m, _ in theirs["search"]]
    assert all(abs(a - b) <= 1e-4 for (_, a), (_, b) in zip(ours["search"], theirs["search"]))
    assert {k: v for k, v in ours.items() if k != "search"} == {k: v for k, v in theirs.items() if k != "search"}
