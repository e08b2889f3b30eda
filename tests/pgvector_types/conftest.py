"""Fixtures for pgvector's types: the Python API on a fresh repository, and a real server for psycopg
with pgvector's adapter. Expected values are pgvector 0.8's (its regression suite's expected output):
pgserver's PostgreSQL ships pgvector 0.6, which has no halfvec, sparsevec or bit distances."""

from __future__ import annotations

import pytest

import agentlake
from tests.server.conftest import engine_connect, make_server  # noqa: F401 - fixtures used by the tests here


@pytest.fixture
def db(tmp_path):
    conn = agentlake.connect(str(tmp_path / "repo"))
    yield conn
    conn.close()
