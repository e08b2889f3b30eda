"""bytea literals and conversions read as PostgreSQL 16 reads them (the expected values are its answers)."""

from __future__ import annotations

import pytest

import agentlake


@pytest.fixture
def db(tmp_path):
    return agentlake.connect(str(tmp_path / "repo"))


@pytest.mark.parametrize(
    "sql, expected",
    [
        (r"SELECT '\x89504e47'::bytea", b"\x89PNG"),
        (r"SELECT '\x41 42'::bytea", b"AB"),
        (r"SELECT 'a\\b\001'::bytea", b"a\\b\x01"),
        (r"SELECT '\x4142'::bytea::text", r"\x4142"),
        (r"SELECT encode('\x4142'::bytea, 'hex')", "4142"),
        ("SELECT encode('AB'::bytea, 'base64')", "QUI="),
        ("SELECT decode('QUI=', 'base64')", b"AB"),
        ("SELECT decode('4142', 'hex')", b"AB"),
        ("SELECT convert_to('héllo', 'UTF8')", "héllo".encode()),
        (r"SELECT convert_from('\x68c3a96c6c6f'::bytea, 'UTF8')", "héllo"),
    ],
)
def test_bytea_as_postgres_reads_it(db, sql, expected):
    assert db.execute(sql).fetchone()[0] == expected


@pytest.mark.parametrize(
    "sql, sqlstate",
    [
        (r"SELECT '\xZZ'::bytea", "22023"),
        (r"SELECT 'a\9'::bytea", "22P02"),
        ("SELECT convert_to('x', 'LATIN1')", "0A000"),
        (r"SELECT decode('a\q', 'escape')", "22P02"),
    ],
)
def test_bad_bytea_input_and_unsupported_encodings_are_refused(db, sql, sqlstate):
    with pytest.raises(agentlake.Error) as refused:
        db.execute(sql)
    assert refused.value.sqlstate == sqlstate


def test_bytea_literal_stores_its_bytes(db):
    db.execute("CREATE TABLE blobs (id int PRIMARY KEY, data bytea)")
    db.execute(r"INSERT INTO blobs VALUES (1, '\x89504e47')")
    assert db.execute("SELECT data FROM blobs").fetchone() == (b"\x89PNG",)
