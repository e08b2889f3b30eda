"""CREATE and DROP EXTENSION over the wire, statement by statement against PostgreSQL 16 + pgvector
(pgserver's pgvector is 0.6, so only vector columns here; halfvec and sparsevec dependents are
tests/engine/test_extensions.py's): the same answers, SQLSTATEs, messages, DETAIL and HINT lines
and notices, and after DROP ... CASCADE the same columns and indexes left."""

from __future__ import annotations

import psycopg
import pytest

SCRIPT = [
    "DROP EXTENSION vector",
    "DROP EXTENSION IF EXISTS vector, foo",
    "DROP EXTENSION IF EXISTS vector RESTRICT",
    "CREATE EXTENSION vector",
    "CREATE EXTENSION vector",
    "CREATE EXTENSION IF NOT EXISTS vector",
    "CREATE EXTENSION vector VERSION '0.0.1'",
    "CREATE EXTENSION vector SCHEMA nope",
    "SELECT extname FROM pg_extension ORDER BY 1",
    "CREATE TABLE a1 (id int, e vector(3), f vector(2))",
    "CREATE TABLE a2 (id int PRIMARY KEY, e vector(3), n text)",
    "INSERT INTO a2 VALUES (1, '[1,2,3]', 'kept')",
    "CREATE INDEX a2_e ON a2 USING hnsw (e vector_l2_ops)",
    "CREATE INDEX a2_n ON a2 (n)",
    "DROP EXTENSION vector",
    "DROP EXTENSION vector RESTRICT",
    "BEGIN",
    "DROP EXTENSION vector CASCADE",
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2",
    "ROLLBACK",
    "DROP TABLE a1",
    "DROP EXTENSION vector CASCADE",
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2",
    "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
    "SELECT * FROM a2",
    "SELECT extname FROM pg_extension ORDER BY 1",
    "DROP EXTENSION vector",
    "CREATE EXTENSION IF NOT EXISTS vector",
    "SELECT extname FROM pg_extension ORDER BY 1",
]


@pytest.fixture
def reference_dsn(postgres_server):
    """A database of its own on the reference server: DROP EXTENSION ... CASCADE there must not reach
    the vector columns of other tests' tables."""
    with psycopg.connect(postgres_server.get_uri(), autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS extension_script WITH (FORCE)")
        admin.execute("CREATE DATABASE extension_script")
    info = postgres_server.get_postmaster_info()
    return f"host={info.socket_dir} port={info.port} dbname=extension_script user=postgres connect_timeout=10"


def run_script(dsn: str) -> list[tuple]:
    outcomes = []
    with psycopg.connect(dsn, autocommit=True) as conn:
        notices: list[tuple] = []
        conn.add_notice_handler(lambda d: notices.append((d.severity, d.sqlstate, d.message_primary, d.message_detail)))
        for sql in SCRIPT:
            try:
                cur = conn.execute(sql)
                outcome: tuple = (cur.statusmessage, cur.fetchall() if cur.description else None)
            except psycopg.Error as err:
                diag = err.diag
                outcome = (diag.sqlstate, diag.message_primary, diag.message_detail, diag.message_hint)
            outcomes.append((sql, outcome, list(notices)))
            notices.clear()
    return outcomes


def test_the_extension_script_answers_as_postgresql(make_server, reference_dsn):
    ours = run_script(make_server().dsn())
    theirs = run_script(reference_dsn)
    for mine, reference in zip(ours, theirs):
        assert mine == reference
    assert ours[14][1] == (
        "2BP01",
        "cannot drop extension vector because other objects depend on it",
        "column f of table a1 depends on type vector\n"
        "column e of table a1 depends on type vector\n"
        "column e of table a2 depends on type vector",
        "Use DROP ... CASCADE to drop the dependent objects too.",
    )
    assert ours[17][2] == [
        (
            "NOTICE",
            "00000",
            "drop cascades to 3 other objects",
            "drop cascades to column f of table a1\n"
            "drop cascades to column e of table a1\n"
            "drop cascades to column e of table a2",
        )
    ]


def test_a_missing_extension_is_refused_as_postgresql_refuses_it(make_server, reference_dsn):
    """The message and hint are PostgreSQL's; its DETAIL names a control file, which has no
    counterpart here."""
    answers = []
    for dsn in (make_server().dsn(), reference_dsn):
        with psycopg.connect(dsn, autocommit=True) as conn:
            with pytest.raises(psycopg.errors.FeatureNotSupported) as caught:
                conn.execute('CREATE EXTENSION "Vector"')
            answers.append((caught.value.diag.message_primary, caught.value.diag.message_hint))
    assert answers[0] == answers[1]
