"""A filtered top-k over files this process did not write (another process's commits, merges and
compactions) decodes them once when they are small and filters in memory from the first search;
bigger ones are still scanned from Parquet. The answer is the same either way: the nearest of
exactly the rows DataFusion's own WHERE keeps."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

import agentlake
from catalog import Repository

from .conftest import route


def _write_elsewhere(url: str, rows: int, dim: int) -> np.ndarray:
    """Rows committed through a repository object of its own: its cache of decoded files is not the
    engine's, as if another process had written them."""
    setup = agentlake.connect(url, branch="main")
    setup.execute(f"CREATE TABLE notes (id bigint PRIMARY KEY, agent int, embedding vector({dim}))")
    setup.close()
    vectors = np.random.default_rng(4).normal(size=(rows, dim)).astype(np.float32)
    repo = Repository.open(url, create=False)
    schema = repo.snapshot("main").tables["notes"].schema
    for part in np.array_split(np.arange(rows), 3):
        tx = repo.begin("main")
        tx.append(
            "notes",
            pa.table(
                {
                    "id": pa.array(part, pa.int64()),
                    "agent": pa.array(part % 7, pa.int32()),
                    "embedding": pa.FixedSizeListArray.from_arrays(pa.array(vectors[part].reshape(-1)), dim),
                },
                schema=pa.schema([f.with_nullable(True) for f in schema]),
            ),
        )
        tx.commit("elsewhere")
    return vectors


def _nearest(db, vectors: np.ndarray, query: np.ndarray) -> list[int]:
    passing = np.array([r[0] for r in db.execute("SELECT id FROM notes WHERE agent = 3").fetchall()], np.int64)
    distances = np.linalg.norm(vectors[passing].astype(np.float64) - query, axis=1)
    return passing[np.argsort(distances, kind="stable")][:5].tolist()


def test_small_files_of_another_writer_are_filtered_in_memory_from_the_first_search(repo_url):
    vectors = _write_elsewhere(repo_url, 3000, 8)
    db = agentlake.connect(repo_url, branch="main")
    query = np.random.default_rng(1).normal(size=8).astype(np.float32)
    sql = "SELECT id FROM notes WHERE agent = %s ORDER BY embedding <-> %s LIMIT 5"
    assert "filter evaluated in memory by Arrow" in route(db, sql, [3, query])
    assert [r[0] for r in db.execute(sql, [3, query]).fetchall()] == _nearest(db, vectors, query)


def test_big_files_of_another_writer_are_scanned_from_parquet(repo_url):
    vectors = _write_elsewhere(repo_url, 30_000, 64)  # about 8 MB of random floats: more than is decoded
    db = agentlake.connect(repo_url, branch="main")
    query = np.random.default_rng(2).normal(size=64).astype(np.float32)
    sql = "SELECT id FROM notes WHERE agent = %s ORDER BY embedding <-> %s LIMIT 5"
    assert "filter scanned from Parquet" in route(db, sql, [3, query])
    assert [r[0] for r in db.execute(sql, [3, query]).fetchall()] == _nearest(db, vectors, query)
