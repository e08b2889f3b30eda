"""A pg_dump of a PostgreSQL 16 database restores into agentlake with psql, as into PostgreSQL: its
SET lines, CREATE EXTENSION and COMMENT ON EXTENSION, an enum type, tables with serial and identity columns,
sequences and their OWNED BY and setval, COPY public.t ... FROM stdin with awkward text, keys,
indexes, foreign keys, views and comments, with owners (restored by the dump's own user) and
without (``pg_dump -O``). psql stops at the first error (ON_ERROR_STOP), so each line must run;
then the same queries answer the same on both."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg
import pytest

pgserver = pytest.importorskip("pgserver")
BIN = Path(pgserver.__file__).parent / "pginstall" / "bin"
pytestmark = pytest.mark.skipif(not (BIN / "pg_dump").exists(), reason="pgserver has no pg_dump")

SOURCE = [
    "CREATE EXTENSION IF NOT EXISTS vector",
    "CREATE TABLE authors (id serial PRIMARY KEY, name text NOT NULL UNIQUE, born date, meta jsonb DEFAULT '{}')",
    "CREATE TABLE books (id bigserial PRIMARY KEY, author_id int NOT NULL REFERENCES authors(id) ON DELETE CASCADE,"
    " title varchar(200) NOT NULL, price numeric(8,2) CHECK (price >= 0), tags text[], embedding vector(3),"
    " published timestamptz DEFAULT now())",
    "CREATE TABLE events (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, what text,"
    " shout text GENERATED ALWAYS AS (upper(what)) STORED)",
    "CREATE INDEX books_author_idx ON books (author_id)",
    "CREATE UNIQUE INDEX books_title_author ON books (author_id, title)",
    "CREATE INDEX books_embedding_idx ON books USING hnsw (embedding vector_cosine_ops) WITH (m = 8)",
    "CREATE INDEX authors_meta_idx ON authors USING gin (meta)",
    "CREATE INDEX books_cheap_idx ON books (price) WHERE price < 10",
    "CREATE INDEX authors_lower_name ON authors (lower(name))",
    "CREATE VIEW cheap_books AS SELECT id, title FROM books WHERE price < 10",
    "CREATE SEQUENCE ticket_seq START 100",
    "CREATE TYPE mood AS ENUM ('ok', 'sad')",
    "CREATE TABLE moods (id int PRIMARY KEY, m mood NOT NULL)",
    "INSERT INTO moods VALUES (1, 'sad'), (2, 'ok')",
    "COMMENT ON TABLE books IS 'the books'",
    "INSERT INTO authors (name, born, meta) VALUES ('Ann', '1970-01-02', '{\"a\": 1}'), ('Bob', NULL, '{}'),"
    " (E'C\\u00e9 \"q\" \\\\ x', '1980-05-06', '{\"t\": [1, 2]}')",
    "INSERT INTO books (author_id, title, price, tags, embedding, published) VALUES"
    " (1, 'One', 9.50, '{x,y}', '[1,2,3]', '2024-01-01 00:00+00'), (1, 'Two', 12, NULL, NULL, '2024-01-02 00:00+00'),"
    " (3, E'Tab\\there\\nand a line', 0, '{\"a b\",c}', '[0,0,1]', '2024-01-03 00:00+00')",
    "INSERT INTO events (what) VALUES ('start'), ('stop')",
    "CREATE TABLE kinds (id smallint PRIMARY KEY, b bytea, u uuid, ts timestamp, t time, flag boolean, f8 float8,"
    " f4 real, code char(3), j json, nums numeric[], big bigint)",
    "INSERT INTO kinds VALUES (1, '\\x00ff', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-01-01 12:30:00', '08:00',"
    " true, 1.5e300, 0.25, 'ab', '{\"k\": [1, null]}', '{1.5,NULL,-2}', -9223372036854775808),"
    " (2, NULL, NULL, NULL, NULL, NULL, 'NaN', '-Infinity', NULL, NULL, NULL, NULL)",
    "SELECT nextval('ticket_seq')",
]
QUERIES = [
    "SELECT id, name, born, meta FROM authors ORDER BY id",
    "SELECT id, author_id, title, price, tags, embedding::text, published FROM books ORDER BY id",
    "SELECT * FROM events ORDER BY id",
    "SELECT id, m::text FROM moods ORDER BY m, id",
    "SELECT id, b, u, ts, t, flag, f8::text, f4::text, code, j::text, nums, big FROM kinds ORDER BY id",
    "SELECT * FROM cheap_books ORDER BY id",
    "SELECT nextval('ticket_seq'), nextval('authors_id_seq'), nextval('books_id_seq')",
    "SELECT obj_description('books'::regclass)",
    "SELECT conname, contype FROM pg_constraint WHERE conrelid = 'books'::regclass ORDER BY conname",
    "SELECT indexname FROM pg_indexes WHERE tablename = 'books' ORDER BY indexname",
]


def _dump(postgres_server, database: str, *options: str) -> str:
    info = postgres_server.get_postmaster_info()
    args = [str(BIN / "pg_dump"), "-h", str(info.socket_dir), "-p", str(info.port), "-U", "postgres", *options]
    return subprocess.run([*args, database], capture_output=True, text=True, timeout=60, check=True).stdout


def _restore(server, path: Path, user: str) -> subprocess.CompletedProcess:
    args = [str(BIN / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(server.port)]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    return subprocess.run(
        [*args, "-U", user, "-d", server.database, "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.fixture(scope="module")
def source(postgres_server) -> str:
    with psycopg.connect(postgres_server.get_uri(), autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS dump_source")
        admin.execute("CREATE DATABASE dump_source")
    info = postgres_server.get_postmaster_info()
    with psycopg.connect(host=str(info.socket_dir), port=info.port, user="postgres", dbname="dump_source") as conn:
        for statement in SOURCE:
            conn.execute(statement)
    return "dump_source"


@pytest.mark.parametrize("options, user", [(("-O",), "alice"), ((), "postgres")], ids=["no owners", "owners"])
def test_a_pg_dump_restores_with_psql(make_server, postgres_server, source, tmp_path, options, user):
    dump = tmp_path / "dump.sql"
    dump.write_text(_dump(postgres_server, source, *options))
    server = make_server()
    done = _restore(server, dump, user)
    assert done.returncode == 0, done.stderr
    info = postgres_server.get_postmaster_info()
    with (
        psycopg.connect(server.dsn(user=user), autocommit=True) as lake,
        psycopg.connect(host=str(info.socket_dir), port=info.port, user="postgres", dbname=source) as postgres,
    ):
        for sql in QUERIES:
            assert lake.execute(sql).fetchall() == postgres.execute(sql).fetchall(), sql
            postgres.rollback()  # nextval moves PostgreSQL's sequences back for the next restore's comparison
