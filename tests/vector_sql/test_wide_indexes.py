"""Vector indexes wider than pgvector's page-bound limits (2,000 dimensions for an HNSW or IVFFlat
index on vector, 4,000 on halfvec): agentlake's index files are not PostgreSQL pages, so the index
is built and a top-k through it answers as an exact scan would."""

from __future__ import annotations

import numpy as np
import pytest

import agentlake


@pytest.mark.parametrize(
    "kind, dim, method", [("vector", 3072, "hnsw"), ("halfvec", 4100, "hnsw"), ("vector", 2500, "ivfflat")]
)
def test_wide_index_builds_and_answers_exactly(tmp_path, kind, dim, method):
    db = agentlake.connect(str(tmp_path / "repo"))
    db.execute(f"CREATE TABLE docs (id int PRIMARY KEY, e {kind}({dim}))")
    rng = np.random.default_rng(7)
    vectors = rng.random((40, dim), dtype=np.float32)
    for i, v in enumerate(vectors):
        db.execute("INSERT INTO docs VALUES (%s, %s)", [i, v])
    options = " WITH (lists = 4)" if method == "ivfflat" else ""
    db.execute(f"CREATE INDEX ON docs USING {method} (e {kind}_l2_ops){options}")
    query = vectors[11] + 0.001
    if method == "ivfflat":
        db.execute("SET ivfflat.probes = 4")
    found = [row[0] for row in db.execute(f"SELECT id FROM docs ORDER BY e <-> %s::{kind} LIMIT 3", [query]).fetchall()]
    exact = list(np.argsort(((vectors - query) ** 2).sum(axis=1))[:3])
    assert found == exact
