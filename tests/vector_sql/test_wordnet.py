"""Real text: 2,000 WordNet glosses embedded with all-MiniLM-L6-v2 (tests/data), searched through SQL.

Expected neighbours come from numpy exact search over the same embeddings, never from
a judgement of what "should" be similar.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from numpy.testing import assert_allclose

from .reference import topk

DATA = Path(__file__).resolve().parents[1] / "data" / "wordnet_glosses.parquet"
K = 8


@pytest.fixture
def glosses(db):
    table = pq.read_table(DATA)
    db.execute(
        "CREATE TABLE glosses (id bigint PRIMARY KEY, synset text, pos text, lemma text, gloss text, "
        "embedding vector(384))"
    )
    db.load_arrow("glosses", table)
    vectors = np.asarray(table.column("embedding").combine_chunks().values.to_numpy()).reshape(-1, 384)
    return (
        db,
        table.column("id").to_numpy(),
        table.column("pos").to_numpy(zero_copy_only=False),
        table.column("lemma").to_pylist(),
        vectors,
    )


def test_subset_shape(glosses):
    db, ids, pos, _, vectors = glosses
    assert db.execute("SELECT count(*), count(DISTINCT pos) FROM glosses").fetchone() == (len(ids), 5)
    assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


@pytest.mark.parametrize("lemma", ["sardine", "river", "cat"])
def test_semantic_query_filtered_to_nouns(glosses, lemma):
    db, ids, pos, lemmas, vectors = glosses
    row = lemmas.index(lemma)
    query = vectors[row]
    got = db.execute(
        f"SELECT id, lemma, embedding <=> %s AS d FROM glosses WHERE pos = %s ORDER BY d LIMIT {K}", [query, "n"]
    ).fetchall()
    want_ids, want_dist = topk(ids, vectors, query, K, "cosine", pos == "n")
    assert [r[0] for r in got] == want_ids.tolist()
    assert_allclose([r[2] for r in got], want_dist, atol=1e-5)
    assert (got[0][0] == ids[row]) == (pos[row] == "n")  # a noun finds itself first; the verb "cat" is filtered out


def test_batch_search_of_glosses_by_part_of_speech(glosses):
    db, ids, pos, lemmas, vectors = glosses
    queries = vectors[[lemmas.index("sardine"), lemmas.index("river")]]
    result = db.search(
        "glosses", "embedding", queries, k=K, where="pos = %s", params=["v"], metric="cosine", columns=["lemma", "pos"]
    )
    for i, query in enumerate(queries):
        assert result.ids[i].tolist() == topk(ids, vectors, query, K, "cosine", pos == "v")[0].tolist()
    assert set(result.columns["pos"].reshape(-1)) == {"v"}
