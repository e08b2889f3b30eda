"""The same statements on agentlake (a real server, read with psycopg) and on PostgreSQL 16 (pgserver),
their answers compared: column names, the result columns' wire types, and the rows."""

from __future__ import annotations

import os
from dataclasses import dataclass

import psycopg
import pytest

import agentlake
from agentlake.server.app import ServerConfig
from tests.server.conftest import start_server


@dataclass
class Answer:
    names: list[str]
    type_oids: list[int]
    rows: list[tuple]


@dataclass
class Both:
    """One connection to each, with the same tables."""

    lake: psycopg.Connection
    postgres: psycopg.Connection

    @staticmethod
    def ask(conn: psycopg.Connection, sql: str, params: list | None = None) -> Answer:
        cur = conn.execute(sql, params)
        return Answer([d.name for d in cur.description], [d.type_code for d in cur.description], cur.fetchall())

    def execute(self, sql: str) -> None:
        """Run ``sql`` on both (a statement whose effect a later query compares)."""
        self.lake.execute(sql)
        self.postgres.execute(sql)

    def answers(self, sql: str, params: list | None = None) -> tuple[Answer, Answer]:
        """Each one's answer to ``sql`` (with ``params``, bound by the server: the extended protocol)."""
        return self.ask(self.lake, sql, params), self.ask(self.postgres, sql, params)

    def sqlstates(self, sql: str) -> tuple[str | None, str | None]:
        """What each answers ``sql`` with: an error's SQLSTATE, or None."""
        lake, postgres = self.errors(sql)
        return lake and lake[0], postgres and postgres[0]

    def interleaved(self, steps: list[tuple[str, str]]) -> tuple[list, list]:
        """Each one's trace of ``steps``: (session, statement) pairs, session "a" the fixture's
        connection and "b" a second one to the same database; what each step returned (its rows, or
        its status) or the SQLSTATE it failed with. Session a's open transaction is rolled back."""
        return _interleaved(self.lake, steps), _interleaved(self.postgres, steps)

    def errors(self, sql: str) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
        """Each one's error for ``sql`` as (SQLSTATE, primary message), or None where it ran."""
        out = []
        for conn in (self.lake, self.postgres):
            try:
                conn.execute(sql).fetchall()
                out.append(None)
            except psycopg.Error as err:
                out.append((err.sqlstate, err.diag.message_primary))
        return out[0], out[1]


def _interleaved(conn: psycopg.Connection, steps: list[tuple[str, str]]) -> list:
    other = psycopg.connect(conn.info.dsn, autocommit=True)
    sessions = {"a": conn, "b": other}
    out: list = []
    try:
        for who, sql in steps:
            try:
                cur = sessions[who].execute(sql)
                out.append(cur.fetchall() if cur.description else cur.statusmessage)
            except psycopg.Error as err:
                out.append(err.sqlstate)
    finally:
        conn.execute("ROLLBACK")
        other.close()
    return out


@pytest.fixture(scope="module")
def both(request, tmp_path_factory, postgres_server):
    """A server over a fresh repository and a fresh PostgreSQL database, both set up with the test
    module's ``SETUP`` statements."""
    setup: list[str] = request.module.SETUP
    repo = str(tmp_path_factory.mktemp("lake") / "repo")
    agentlake.connect(repo, create=True).close()
    server = start_server(ServerConfig(repo=repo, database=os.path.basename(repo), trust=True, port=0))
    database = request.module.__name__.rsplit(".", 1)[-1].lower()
    with psycopg.connect(postgres_server.get_uri(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database}")
        admin.execute(f"CREATE DATABASE {database}")
    info = postgres_server.get_postmaster_info()
    lake = psycopg.connect(server.dsn(), autocommit=True)
    postgres = psycopg.connect(
        f"host={info.socket_dir} port={info.port} dbname={database} user=postgres", autocommit=True
    )
    for statement in setup:
        lake.execute(statement)
        postgres.execute(statement)
    yield Both(lake, postgres)
    lake.close()
    postgres.close()
    server.stop()
