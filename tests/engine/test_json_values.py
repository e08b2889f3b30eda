"""The embedded API returns json and jsonb values as the Python objects psycopg gives for them."""

from __future__ import annotations

import psycopg

import agentlake

QUERY = "SELECT j, b, j -> 'a', row_to_json(t), json_build_object('n', id), b -> 'missing' FROM t ORDER BY id"


def test_json_and_jsonb_decode_as_psycopg_decodes_them(tmp_path, postgres_server):
    setup = [
        "CREATE TABLE t (id int, j json, b jsonb)",
        """INSERT INTO t VALUES (1, '{"a": [1, 2.5, "x"]}', '{"k": true}'), (2, NULL, 'null')""",
    ]
    db = agentlake.connect(str(tmp_path / "repo"))
    with psycopg.connect(postgres_server.get_uri(), autocommit=True) as postgres:
        postgres.execute("DROP TABLE IF EXISTS t")
        for statement in setup:
            db.execute(statement)
            postgres.execute(statement)
        expected = postgres.execute(QUERY).fetchall()
        postgres.execute("DROP TABLE t")
    assert db.execute(QUERY).fetchall() == expected
