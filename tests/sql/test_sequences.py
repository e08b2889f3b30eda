"""The sequences of serial columns as PostgreSQL 16 runs them (nextval, currval, setval, lastval and
pg_get_serial_sequence were 42883): the same statements in the same order give the same values,
and the same SQLSTATEs where PostgreSQL refuses."""

from __future__ import annotations

import pytest

SETUP = ["CREATE TABLE memories (id serial PRIMARY KEY, body text)"]

IN_ORDER = [
    "INSERT INTO memories (body) VALUES ('a'), ('b') RETURNING id",
    "SELECT currval('memories_id_seq'), lastval()",
    "SELECT nextval('memories_id_seq'), nextval('public.memories_id_seq'), nextval('memories_id_seq'::regclass)",
    "INSERT INTO memories (id, body) VALUES (nextval('memories_id_seq'), 'c') RETURNING id, currval('memories_id_seq')",
    "SELECT setval('memories_id_seq', 100)",
    "INSERT INTO memories (body) VALUES ('d') RETURNING id",
    "SELECT setval('memories_id_seq', 200, false), currval('memories_id_seq')",
    "SELECT nextval('memories_id_seq'), lastval()",
    "SELECT setval('memories_id_seq', (SELECT max(id) FROM memories))",
    "INSERT INTO memories (body) VALUES ('e') RETURNING id",
    "SELECT pg_get_serial_sequence('memories', 'id'), pg_get_serial_sequence('memories', 'body')",
    "SELECT id, body FROM memories ORDER BY id",
]


def test_sequence_functions_as_postgres(both):
    for sql in IN_ORDER:
        lake, postgres = both.answers(sql)
        assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows), sql


@pytest.mark.parametrize(
    "sql, sqlstate",
    [
        ("SELECT nextval('no_such_seq')", "42P01"),
        ("SELECT setval('memories_id_seq', 0)", "22003"),
        ("SELECT pg_get_serial_sequence('memories', 'nope')", "42703"),
        ("SELECT pg_get_serial_sequence('nope', 'id')", "42P01"),
    ],
)
def test_refusals_as_postgres(both, sql, sqlstate):
    assert both.sqlstates(sql) == (sqlstate, sqlstate)


def test_currval_before_any_value_is_refused(both, postgres_server):
    import psycopg

    fresh_lake = psycopg.connect(both.lake.info.dsn, autocommit=True)
    info = both.postgres.info
    fresh_postgres = psycopg.connect(info.dsn, autocommit=True)
    try:
        for conn in (fresh_lake, fresh_postgres):
            for sql in ("SELECT currval('memories_id_seq')", "SELECT lastval()"):
                with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
                    conn.execute(sql)
    finally:
        fresh_lake.close()
        fresh_postgres.close()
