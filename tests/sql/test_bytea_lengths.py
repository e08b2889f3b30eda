"""``octet_length``, ``length`` and ``bit_length`` of bytea count its bytes (issue 24), over text its
UTF-8 bytes and characters, compared with PostgreSQL 16's answers and result types through psycopg."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE t (id int PRIMARY KEY, b bytea, n text)",
    r"INSERT INTO t VALUES (1, '\x0102ff', 'héllo'), (2, '\x', ''), (3, NULL, NULL)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, octet_length(b), length(b), bit_length(b) FROM t ORDER BY id",
        "SELECT octet_length(n), length(n) FROM t ORDER BY id",
        "SELECT x.id FROM t AS x WHERE octet_length(x.b) > 1",
        r"SELECT octet_length('\x0102'::bytea), length('\x0102'::bytea), octet_length('\x0102') AS unknown",
        "SELECT length(decode('abcd', 'hex')), octet_length(convert_to('héllo', 'UTF8'))",
        "SELECT sum(octet_length(b)) FROM t",
        "SELECT length(sha224(b)), octet_length(sha256(b)), bit_length(sha512(b)) FROM t ORDER BY id",
    ],
)
def test_lengths_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
