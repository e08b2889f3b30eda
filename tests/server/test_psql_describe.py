"""psql's describing meta-commands give what they give on PostgreSQL 16 with pgvector, run by the
psql binary against both (unaligned output, owners and pgvector's version aside): tables with
their defaults, indexes, CHECK and foreign-key constraints from both sides, sequences, views,
schemas, extensions with their descriptions, privileges (``\\dp``), tablespaces, and ``\\d+``, ``\\dt+``
and ``\\df`` run to the end."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import psycopg
import pytest

PSQL = shutil.which("psql")
pytestmark = pytest.mark.skipif(PSQL is None, reason="psql (postgresql-client) is not installed")

SETUP = [
    "CREATE EXTENSION IF NOT EXISTS vector",
    "CREATE TABLE docs (id bigint PRIMARY KEY, title varchar(80) NOT NULL, body text DEFAULT 'x',"
    " score numeric(6,2), tags text[], meta jsonb DEFAULT '{}', created timestamptz DEFAULT now(),"
    " embedding vector(3))",
    "CREATE INDEX docs_title_idx ON docs (title)",
    "CREATE UNIQUE INDEX docs_score_u ON docs (score)",
    "CREATE TABLE notes (id serial PRIMARY KEY, doc_id bigint REFERENCES docs(id) ON DELETE CASCADE,"
    " n int CHECK (n > 0), kind varchar(10) CHECK (kind IN ('fact', 'plan')))",
    "CREATE VIEW recent AS SELECT id, title FROM docs WHERE id > 10",
    "COMMENT ON TABLE docs IS 'the docs'",
]
SAME = [
    r"\d",
    r"\dt",
    r"\d docs",
    r"\d+ docs",
    r"\d notes",
    r"\di",
    r"\dv",
    r"\ds",
    r"\dn",
    r"\dx",
    r"\dp",
    r"\z docs",
    r"\dd",
    r"\db",
]


def _psql(host: str, port: int, user: str, database: str, command: str) -> str:
    args = [PSQL, "-X", "-A", "-h", host, "-p", str(port), "-U", user, "-d", database, "-c", command]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10", "PAGER": "", "PSQL_PAGER": ""}
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, env=env)
    return done.stdout + done.stderr


@pytest.fixture
def sides(server, postgres_server):
    """(run on agentlake, run on PostgreSQL): each runs a meta-command over the same objects."""
    info = postgres_server.get_postmaster_info()
    with psycopg.connect(postgres_server.get_uri(), autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS psql_describe")
        admin.execute("CREATE DATABASE psql_describe")
    targets = [
        ("127.0.0.1", server.port, "alice", server.database),
        (str(info.socket_dir), info.port, "postgres", "psql_describe"),
    ]
    for host, port, user, database in targets:
        with psycopg.connect(host=host, port=port, user=user, dbname=database, autocommit=True) as conn:
            for statement in SETUP:
                conn.execute(statement)
    return [lambda command, target=target: _psql(*target, command) for target in targets]


def _normalized(text: str) -> str:
    """Owners are each side's user; the pgvector releases differ (0.8 here, 0.6 in pgserver)."""
    return re.sub(r"\|0\.\d+\.\d+\|", "|VERSION|", text.replace("|postgres", "|alice"))


@pytest.mark.parametrize("command", SAME)
def test_describe_as_postgres(sides, command):
    lake, postgres = sides
    assert _normalized(lake(command)) == _normalized(postgres(command))


def test_table_sizes_and_descriptions(sides):
    lake, _ = sides
    out = lake(r"\dt+")
    assert "ERROR" not in out
    assert "docs|table|alice|permanent|heap|" in out and out.splitlines()[2].endswith("|the docs")


def test_functions_list_none_of_their_own(sides):
    """No user-defined functions exist (CREATE FUNCTION is refused) and the built-in ones are not
    listed, as PostgreSQL lists none of pg_catalog's: psql's \\df lists nothing."""
    lake, _ = sides
    out = lake(r"\df")
    assert out.splitlines()[1:] == ["Schema|Name|Result data type|Argument data types|Type", "(0 rows)"]
