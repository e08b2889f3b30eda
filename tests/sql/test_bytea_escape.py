"""encode(bytea, 'escape') and decode(text, 'escape') as PostgreSQL 16 answers them: zero bytes and
bytes with the high bit set as octal escapes, backslashes doubled, everything else literal."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE blobs (id int PRIMARY KEY, b bytea)",
    r"INSERT INTO blobs VALUES (1, '\x00ff5c41'), (2, '\x'), (3, NULL), (4, '\x0a09e282ac7f')",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, encode(b, 'escape') FROM blobs ORDER BY id",
        r"SELECT decode('a\000b\\c\101', 'escape')",
        "SELECT id, decode(encode(b, 'escape'), 'escape') = b FROM blobs ORDER BY id",
        "SELECT encode(convert_to('héllo', 'UTF8'), 'escape')",
        r"SELECT E'\\x41'::bytea, E'\\101'::bytea, E'\\x'::bytea, ARRAY[E'\\x4142']::bytea[]",
    ],
)
def test_escape_format_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def test_invalid_escape_is_refused_as_postgres(both):
    assert both.sqlstates(r"SELECT decode('x\q', 'escape')") == ("22P02", "22P02")


@pytest.mark.parametrize(
    "sql",
    [
        r"SELECT ARRAY['\x01', '\xff']::bytea[] AS a",
        r"SELECT ARRAY['\x01'::bytea, '\x0203'::bytea] AS a",
        "SELECT array_agg(b ORDER BY id) FROM blobs WHERE b IS NOT NULL",
    ],
)
def test_bytea_arrays_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
