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
def postgres(tmp_path_factory):
    """A psycopg connection (autocommit) to PostgreSQL 16."""
    pgserver = pytest.importorskip("pgserver")
    psycopg = pytest.importorskip("psycopg")
    try:
        server = pgserver.get_server(tmp_path_factory.mktemp("pg16"), cleanup_mode="stop")
    except Exception as err:  # noqa: BLE001 - no reference server here: nothing to compare with
        pytest.skip(f"pgserver could not start PostgreSQL: {err}")
    conn = psycopg.connect(server.get_uri(), autocommit=True)
    yield conn
    conn.close()
    server.cleanup()


@pytest.fixture
def lake(tmp_path):
    import agentlake

    conn = agentlake.connect(str(tmp_path / "repo"), create=True)
    yield conn
    conn.close()
