"""A filtered top-k leaves out the files whose statistics show no row can pass (an agent's own
memories among every agent's files), and answers exactly what DataFusion's own WHERE keeps:
over random filters of the kinds statistics can refute and of kinds they cannot."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

import agentlake

from .conftest import route

DIM = 8
AGENTS = 6


@pytest.fixture
def notes(repo_url):
    """Each agent's notes in a file of its own (one load per agent), and two files of every agent's."""
    db = agentlake.connect(repo_url, branch="main")
    db.repository.compaction.enabled = False  # folded, the files would mix the agents
    db.execute(f"CREATE TABLE notes (id bigint PRIMARY KEY, agent int, topic text, embedding vector({DIM}))")
    vectors = np.random.default_rng(7).normal(size=(400, DIM)).astype(np.float32)
    ids = np.arange(400)
    for agent in range(AGENTS):
        _load(db, vectors, ids[agent * 50 : (agent + 1) * 50], np.full(50, agent))
    for part in np.array_split(ids[300:], 2):
        _load(db, vectors, part, part % AGENTS)
    return db, vectors


def _load(db, vectors: np.ndarray, ids: np.ndarray, agents: np.ndarray) -> None:
    db.load_arrow(
        "notes",
        pa.table(
            {
                "id": pa.array(ids, pa.int64()),
                "agent": pa.array(agents, pa.int32()),
                "topic": pa.array([f"topic {i % 4}" for i in ids]),
                "embedding": pa.FixedSizeListArray.from_arrays(pa.array(vectors[ids].reshape(-1)), DIM),
            }
        ),
    )


def _expected(db, vectors: np.ndarray, where: str, params: list, query: np.ndarray) -> list[int]:
    passing = [r[0] for r in db.execute(f"SELECT id FROM notes WHERE {where}", params).fetchall()]
    distances = np.linalg.norm(vectors[passing].astype(np.float64) - query, axis=1)
    return [passing[i] for i in np.argsort(distances, kind="stable")[:5]]


def _topk(db, where: str, params: list, query: np.ndarray) -> tuple[list[int], str]:
    sql = f"SELECT id FROM notes WHERE {where} ORDER BY embedding <-> %s LIMIT 5"
    return [r[0] for r in db.execute(sql, [*params, query]).fetchall()], route(db, sql, [*params, query])


def test_an_agents_filter_leaves_out_the_other_agents_files(notes):
    db, vectors = notes
    query = np.random.default_rng(1).normal(size=DIM).astype(np.float32)
    found, how = _topk(db, "agent = %s", [2], query)
    assert found == _expected(db, vectors, "agent = %s", [2], query)
    assert "5 of 8 files excluded by their statistics" in how


def test_a_filter_no_file_can_match_searches_nothing(notes):
    db, _ = notes
    query = np.zeros(DIM, np.float32)
    found, how = _topk(db, "agent = %s", [99], query)
    assert found == []
    assert "all 8 files excluded by their statistics" in how


def test_a_filter_statistics_cannot_refute_keeps_every_file(notes):
    db, vectors = notes
    query = np.ones(DIM, np.float32)
    found, how = _topk(db, "agent <> %s", [2], query)
    assert found == _expected(db, vectors, "agent <> %s", [2], query)
    assert "excluded by their statistics" not in how


@pytest.mark.parametrize("seed", range(3))
def test_random_filters_answer_what_datafusion_keeps(notes, seed):
    db, vectors = notes
    rng = random.Random(seed)
    kinds = [
        lambda: ("agent = %s", [rng.randrange(-1, AGENTS + 1)]),
        lambda: ("%s = agent", [rng.randrange(AGENTS)]),
        lambda: ("agent < %s", [rng.randrange(AGENTS + 1)]),
        lambda: ("agent >= %s", [rng.randrange(AGENTS + 1)]),
        lambda: ("%s > agent", [rng.randrange(AGENTS + 1)]),
        lambda: ("agent BETWEEN %s AND %s", sorted([rng.randrange(AGENTS), rng.randrange(AGENTS)])),
        lambda: ("agent IN (%s, %s)", [rng.randrange(AGENTS + 2), rng.randrange(AGENTS + 2)]),
        lambda: ("(agent = %s OR agent = %s)", [rng.randrange(AGENTS), rng.randrange(AGENTS + 3)]),
        lambda: ("agent = %s AND topic = %s", [rng.randrange(AGENTS), f"topic {rng.randrange(5)}"]),
        lambda: ("topic = %s", [f"topic {rng.randrange(5)}"]),
        lambda: ("agent = %s AND id > %s", [rng.randrange(AGENTS), rng.randrange(400)]),
        lambda: ("NOT (agent = %s)", [rng.randrange(AGENTS)]),
        lambda: ("agent = %s", [None]),
        lambda: ("agent = %s + 1", [rng.randrange(AGENTS)]),
        lambda: ("agent = 2.5", []),
        lambda: ("agent = 9999999999999999999", []),
        lambda: ("agent < 9999999999999999999", []),
    ]
    for _ in range(25):
        where, params = rng.choice(kinds)()
        query = np.array([rng.gauss(0, 1) for _ in range(DIM)], np.float32)
        found, _how = _topk(db, where, params, query)
        assert found == _expected(db, vectors, where, params, query), (where, params)
