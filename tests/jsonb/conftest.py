"""Fixtures for jsonb: a real agentlake server for real clients, and PostgreSQL 16 (pgserver) as the
reference the answers are compared with."""

from __future__ import annotations

import pytest

from tests.server.conftest import engine_connect, make_server  # noqa: F401 - fixtures used by the tests here


@pytest.fixture(scope="session")
def postgres(postgres_server):
    """A psycopg connection (autocommit) to PostgreSQL 16; its database collates as C.UTF-8, code point
    order, as agentlake orders text."""
    psycopg = pytest.importorskip("psycopg")
    conn = psycopg.connect(postgres_server.get_uri(), autocommit=True)
    collation = conn.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()").fetchone()[0]
    if collation not in ("C", "C.UTF-8", "C.utf8", "POSIX"):
        pytest.skip(f"the reference database collates as {collation}, not by code point")
    yield conn
    conn.close()
