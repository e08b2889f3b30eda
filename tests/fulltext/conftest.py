"""Fixtures for full-text search: the WordNet glosses in an agentlake table, PostgreSQL 16 (pgserver)
as the reference, and a real agentlake server for real clients."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.server.conftest import engine_connect, make_server  # noqa: F401 - fixtures used by the tests here

GLOSSES = Path(__file__).parent.parent / "data" / "wordnet_glosses.parquet"


@pytest.fixture(scope="session")
def glosses():
    """The 2,000 WordNet glosses (id, lemma, gloss, embedding)."""
    return pq.read_table(GLOSSES, columns=["id", "lemma", "gloss", "embedding"])


@pytest.fixture(scope="session")
def postgres(postgres_server):
    """A psycopg connection (autocommit) to PostgreSQL 16."""
    psycopg = pytest.importorskip("psycopg")
    conn = psycopg.connect(postgres_server.get_uri(), autocommit=True)
    yield conn
    conn.close()
