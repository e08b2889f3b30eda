"""Fixtures for vector search through SQL: a repository with an indexed ``items`` table."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import agentlake

from .reference import ITEMS_DDL, OPCLASSES, Rows, clustered, items

DIM = 16
FILE_ROWS = 3000  # above the engine's smallest indexed file, small enough to build in well under a second
FILES = 3
QUERIES = 8
EXACT = "SET agentlake.vector_exact_threshold = 1000000000"  # every file searched exactly
APPROXIMATE = "SET agentlake.vector_exact_threshold = 0"  # every indexed file searched with its index


def load_items(db, rows: Rows, files: int) -> None:
    """Append ``rows`` as ``files`` separate commits, so the table has that many data files."""
    for part in np.array_split(np.arange(len(rows.ids)), files):
        db.load_arrow("items", items(rows.ids[part], rows.vectors[part]))


def route(db, sql: str, params) -> str:
    """The strategy line EXPLAIN ANALYZE reports for a query."""
    lines = [r[0] for r in db.execute(f"EXPLAIN ANALYZE {sql}", params).fetchall()]
    return next(line for line in lines if line.startswith("agentlake route"))


@pytest.fixture
def db(repo_url):
    return agentlake.connect(repo_url, branch="main")


@pytest.fixture(scope="session")
def indexed_template(tmp_path_factory) -> tuple[Path, Rows]:
    """``items`` (3 files x 3,000 rows, dim 16) with HNSW indexes for l2, cosine and ip, built once per worker."""
    path = tmp_path_factory.mktemp("indexed") / "repo"
    rows = Rows(np.arange(FILES * FILE_ROWS), clustered(FILES * FILE_ROWS + QUERIES, DIM, seed=1)[:-QUERIES])
    db = agentlake.connect(str(path), branch="main")
    db.execute(ITEMS_DDL.format(dim=DIM))
    load_items(db, rows, FILES)
    for metric, opclass in OPCLASSES.items():
        db.execute(
            f"CREATE INDEX items_{metric} ON items USING hnsw (embedding {opclass}) WITH (m = 16, ef_construction = 64)"
        )
    db.close()
    return path, rows


@pytest.fixture
def indexed(indexed_template, repo_url):
    """A private copy of the indexed repository (indexes are files in it), and its expected rows."""
    path, rows = indexed_template
    shutil.copytree(path, repo_url)
    return agentlake.connect(repo_url, branch="main"), rows.copy()


@pytest.fixture
def queries():
    """Drawn around the same centres as the rows, but not rows themselves."""
    return clustered(FILES * FILE_ROWS + QUERIES, DIM, seed=1)[-QUERIES:]


ANN_DIM = 32
ANN_FILE_ROWS = 6000
ANN_FILES = 2
ANN_QUERIES = 40


def ann_data() -> tuple[Rows, np.ndarray]:
    """12,000 clustered rows in two files and 40 queries from the same clusters (seeded)."""
    points = clustered(ANN_FILES * ANN_FILE_ROWS + ANN_QUERIES, ANN_DIM, seed=3)
    return Rows(np.arange(ANN_FILES * ANN_FILE_ROWS), points[:-ANN_QUERIES]), points[-ANN_QUERIES:]


@pytest.fixture(scope="session")
def ann_template(tmp_path_factory) -> Path:
    """HNSW for l2 and cosine and IVF-Flat for ip, built through CREATE INDEX once per worker."""
    path = tmp_path_factory.mktemp("ann") / "repo"
    rows, _ = ann_data()
    db = agentlake.connect(str(path), branch="main")
    db.execute(ITEMS_DDL.format(dim=ANN_DIM))
    load_items(db, rows, ANN_FILES)
    db.execute(
        "CREATE INDEX items_hnsw_l2 ON items USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64)"
    )
    db.execute("CREATE INDEX items_hnsw_cos ON items USING hnsw (embedding vector_cosine_ops)")
    db.execute("CREATE INDEX items_ivf_ip ON items USING ivfflat (embedding vector_ip_ops) WITH (lists = 32)")
    db.close()
    return path


@pytest.fixture
def ann(ann_template, repo_url):
    """A private copy of the ANN repository, its rows and queries, every indexed file searched by its index."""
    shutil.copytree(ann_template, repo_url)
    db = agentlake.connect(repo_url, branch="main")
    db.execute(APPROXIMATE)
    rows, queries = ann_data()
    return db, rows, queries
