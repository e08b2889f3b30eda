"""A real agentlake server and PostgreSQL 16 (pgserver), for subqueries compared answer by answer."""

from __future__ import annotations

from tests.server.conftest import engine_connect, make_server, server  # noqa: F401 - fixtures used by the tests here
