"""Fixtures for jsonb: a real agentlake server for real clients, and PostgreSQL 16 (pgserver) as the
reference the answers are compared with."""

from __future__ import annotations

import pytest

from tests.server.conftest import engine_connect, make_server  # noqa: F401 - fixtures used by the tests here


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    """A psycopg connection (autocommit) to PostgreSQL 16; its database collates as C.UTF-8, code point
    order, as agentlake orders text."""
    pgserver = pytest.importorskip("pgserver")
    psycopg = pytest.importorskip("psycopg")
    try:
        server = pgserver.get_server(tmp_path_factory.mktemp("pg16"), cleanup_mode="stop")
    except Exception as err:  # noqa: BLE001 - no reference server here: nothing to compare with
        pytest.skip(f"pgserver could not start PostgreSQL: {err}")
    conn = psycopg.connect(server.get_uri(), autocommit=True)
    collation = conn.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()").fetchone()[0]
    if collation not in ("C", "C.UTF-8", "C.utf8", "POSIX"):
        pytest.skip(f"the reference database collates as {collation}, not by code point")
    yield conn
    conn.close()
    server.cleanup()


@pytest.fixture
def lake(tmp_path):
    import agentlake

    conn = agentlake.connect(str(tmp_path / "repo"), create=True)
    yield conn
    conn.close()
