"""PostgreSQL 16 from pgserver beside agentlake, for tests that compare the two: ``target``
gives a psycopg DSN, asyncpg keywords and the socket address for either, with the same assertions
run on both."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any

import pytest


@dataclass
class Target:
    name: str
    dsn: str
    asyncpg: dict[str, Any]
    family: int  # of the socket that reaches the server (for tests speaking the protocol by hand)
    address: Any
    user: str
    database: str


@pytest.fixture(params=["agentlake", "postgres"])
def target(request) -> Target:
    if request.param == "agentlake":
        server = request.getfixturevalue("server")
        return Target(
            "agentlake",
            server.dsn(),
            {"host": "127.0.0.1", "port": server.port, "user": "alice", "database": server.database},
            socket.AF_INET,
            ("127.0.0.1", server.port),
            "alice",
            server.database,
        )
    info = request.getfixturevalue("postgres_server").get_postmaster_info()
    return Target(
        "postgres",
        f"host={info.socket_dir} port={info.port} dbname=postgres user=postgres connect_timeout=10",
        {"host": str(info.socket_dir), "port": info.port, "user": "postgres", "database": "postgres"},
        socket.AF_UNIX,
        str(info.socket_path),
        "postgres",
        "postgres",
    )
