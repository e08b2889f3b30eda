"""The psql binary against the server: meta-commands plan against the emulated pg_catalog."""

from __future__ import annotations

import os
import shutil
import subprocess

import psycopg
import pytest

PSQL = shutil.which("psql")
pytestmark = pytest.mark.skipif(PSQL is None, reason="psql (postgresql-client) is not installed")


def psql(server, *commands: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    args = [
        PSQL,
        "-X",
        "-h",
        "127.0.0.1",
        "-p",
        str(server.port),
        "-U",
        "alice",
        "-d",
        server.database,
        "-v",
        "ON_ERROR_STOP=0",
    ]
    for command in commands:
        args += ["-c", command]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10", "PAGER": "", "PSQL_PAGER": ""}
    return subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=60, env=env)


@pytest.fixture
def table_server(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE readings (id BIGINT, sensor TEXT, value DOUBLE PRECISION)")
        conn.execute("INSERT INTO readings VALUES (1, 'a', 0.5), (2, 'b', 1.5)")
    return server


def test_list_tables_and_describe(table_server):
    out = psql(table_server, r"\dt")
    assert out.returncode == 0, out.stderr
    assert "readings" in out.stdout and "table" in out.stdout
    out = psql(table_server, r"\d readings")
    assert out.returncode == 0, out.stderr
    assert 'Table "public.readings"' in out.stdout
    for column, kind in (("id", "bigint"), ("sensor", "text"), ("value", "double precision")):
        assert any(line.split("|")[0].strip() == column and kind in line for line in out.stdout.splitlines())


def test_list_databases_schemas_roles(table_server):
    out = psql(table_server, r"\l", r"\dn", r"\du")
    assert out.returncode == 0, out.stderr
    assert table_server.database in out.stdout
    assert "public" in out.stdout
    assert "alice" in out.stdout


def test_query_syntax_error_and_quit(table_server):
    out = psql(
        table_server,
        stdin="\\set VERBOSITY verbose\nSELECT sensor FROM readings WHERE id = 2;\nSELECT 1 +;\nSELECT 40 + 2 AS answer;\n\\q\n",
    )
    assert out.returncode == 0
    assert " b\n" in out.stdout
    assert "42" in out.stdout
    assert "ERROR:  42601" in out.stderr


def test_describe_shows_primary_key_and_vector_index(server, real_engine):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE docs (id BIGINT PRIMARY KEY, title TEXT DEFAULT 'untitled', embedding vector(3))")
    out = psql(server, r"\d docs")
    assert out.returncode == 0, out.stderr
    assert "vector(3)" in out.stdout and "not null" in out.stdout
    assert '"docs_pkey" PRIMARY KEY, btree (id)' in out.stdout


def test_copy_both_ways_indexes_and_extensions(server, real_engine, tmp_path):
    """What a pgvector user does from psql: \\copy vectors in from a file and out as CSV, index them
    (vector, B-tree, unique), see the indexes in \\d and the extension in \\dx."""
    source, export = tmp_path / "in.tsv", tmp_path / "out.csv"
    source.write_text("1\t[1,2,3]\tred\n2\t[4,5,6]\tblue\n3\t\\N\t\\N\n")
    out = psql(
        server,
        "CREATE EXTENSION vector",
        "CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(3), color text)",
        rf"\copy items FROM '{source}'",
        "CREATE INDEX ON items USING hnsw (embedding vector_cosine_ops)",
        "CREATE INDEX ON items (color)",
        "CREATE UNIQUE INDEX items_color_key ON items (color)",
        rf"\copy (SELECT id, embedding, color FROM items ORDER BY id) TO '{export}' WITH CSV HEADER",
        r"\d items",
        r"\dx",
    )
    assert out.returncode == 0 and "ERROR" not in out.stderr, out.stderr
    assert "COPY 3" in out.stdout
    assert export.read_text().splitlines() == ["id,embedding,color", '1,"[1,2,3]",red', '2,"[4,5,6]",blue', "3,,"]
    for line in (
        '"items_embedding_idx" hnsw (embedding vector_cosine_ops)',
        '"items_color_idx" btree (color)',
        '"items_color_key" UNIQUE, btree (color)',
    ):
        assert line in out.stdout
    assert " vector " in out.stdout.split("List of installed extensions")[1]
