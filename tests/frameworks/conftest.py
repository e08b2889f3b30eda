"""Fixtures for the framework tests: each library runs its documented quickstart against a real
``agentlake serve`` (a server on loopback over a fresh repository) and against PostgreSQL 16 with
pgvector (pgserver, one per session, a fresh database per test), and the answers are compared."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Iterator

import pytest

from tests.server.conftest import engine_connect, make_server  # noqa: F401 - fixtures used by the tests here

_DATABASES = itertools.count()


@dataclass(frozen=True)
class Target:
    """Where one side of a comparison listens: TCP for agentlake, a Unix socket for pgserver."""

    name: str
    host: str
    port: int
    user: str
    database: str

    def url(self, driver: str) -> str:
        """A SQLAlchemy URL (``postgresql+psycopg``, ``+asyncpg``, ``+psycopg2``)."""
        if self.host.startswith("/"):
            return f"postgresql+{driver}://{self.user}@/{self.database}?host={self.host}&port={self.port}"
        return f"postgresql+{driver}://{self.user}@{self.host}:{self.port}/{self.database}"

    @property
    def dsn(self) -> str:
        return f"host={self.host} port={self.port} dbname={self.database} user={self.user} connect_timeout=10"


@pytest.fixture
def postgres(postgres_server) -> Target:
    """A fresh database on the reference PostgreSQL, with the vector extension created."""
    import psycopg

    info = postgres_server.get_postmaster_info()
    name = f"framework_{next(_DATABASES)}"
    base = Target("postgres", str(info.socket_dir), info.port, "postgres", "postgres")
    with psycopg.connect(base.dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    target = Target("postgres", base.host, base.port, base.user, name)
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    return target


@pytest.fixture
def agentlake(make_server) -> Target:  # noqa: F811 - make_server is the imported fixture
    server = make_server()
    return Target("agentlake", "127.0.0.1", server.port, "alice", server.database)


@pytest.fixture
def targets(agentlake, postgres) -> Iterator[tuple[Target, Target]]:
    """(agentlake, PostgreSQL): the same steps run on both, agentlake first."""
    yield agentlake, postgres
