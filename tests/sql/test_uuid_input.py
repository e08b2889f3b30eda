"""uuid input as PostgreSQL 16 reads it: any case, with or without hyphens and braces, stored and
printed in the canonical form; other text is 22P02 and writes nothing. Compared over the wire."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE ids (id int PRIMARY KEY, u uuid)",
    "INSERT INTO ids VALUES (1, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'), (2, '{a0eebc999c0b4ef8bb6d6bb9bd380a12}'),"
    " (3, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13'), (4, NULL)",
    "UPDATE ids SET u = 'B0EEBC999C0B4EF8BB6D6BB9BD380A13' WHERE id = 3",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, u FROM ids ORDER BY id",
        "SELECT id FROM ids WHERE u = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11' ORDER BY id",
        "SELECT id FROM ids WHERE u = 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13' ORDER BY id",
    ],
)
def test_uuids_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def test_a_cast_to_uuid_is_canonical_as_postgres(both):
    lake, postgres = both.answers("SELECT 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid::text AS u")
    assert lake.rows == postgres.rows == [("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",)]


def test_made_uuids_are_sent_as_uuids_as_postgres(both):
    """psycopg reads them as uuid.UUID, from either."""
    lake, postgres = both.answers("SELECT 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid AS u, u FROM ids WHERE id = 1")
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
    lake, postgres = both.answers("SELECT gen_random_uuid() AS g")
    assert lake.type_oids == postgres.type_oids == [2950]
    assert lake.rows[0][0].version == postgres.rows[0][0].version == 4


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO ids VALUES (9, 'x')",
        "INSERT INTO ids VALUES (9, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1')",
        "INSERT INTO ids VALUES (9, ' a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')",
        "UPDATE ids SET u = 'not a uuid' WHERE id = 1",
        "SELECT 'x'::uuid",
    ],
)
def test_text_that_is_no_uuid_is_22p02_as_postgres(both, sql):
    assert both.sqlstates(sql) == ("22P02", "22P02")
    lake, postgres = both.answers("SELECT id, u FROM ids ORDER BY id")
    assert lake.rows == postgres.rows  # nothing was written


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id FROM ids WHERE u IN ('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{a0eebc999c0b4ef8bb6d6bb9bd380a12}') ORDER BY id",
        "SELECT id FROM ids WHERE u <> 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11' ORDER BY id",
        "SELECT id FROM ids WHERE 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12' = u ORDER BY id",
    ],
)
def test_text_compared_with_uuids_is_read_as_uuids_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert lake.rows == postgres.rows


def test_a_uuid_primary_key_is_found_by_any_spelling(tmp_path):
    import agentlake

    db = agentlake.connect(str(tmp_path / "repo"))
    db.execute("CREATE TABLE keyed (id uuid PRIMARY KEY, note text)")
    db.execute("INSERT INTO keyed VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'x')")
    for spelling in ("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "{a0eebc999c0b4ef8bb6d6bb9bd380a11}"):
        assert db.execute("SELECT note FROM keyed WHERE id = %s", [spelling]).fetchall() == [("x",)]
        assert db.execute(f"SELECT note FROM keyed WHERE id = '{spelling}'").fetchall() == [("x",)]
    with pytest.raises(agentlake.DataError) as err:
        db.execute("SELECT note FROM keyed WHERE id = %s", ["x"]).fetchall()
    assert err.value.sqlstate == "22P02"


def test_the_embedded_api_reads_uuids_as_psycopg_does(tmp_path):
    import uuid

    import agentlake

    db = agentlake.connect(str(tmp_path / "repo"))
    db.execute("CREATE TABLE keyed (id uuid PRIMARY KEY, note text)")
    made = uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
    db.execute("INSERT INTO keyed VALUES (%s, 'x')", [made])
    assert db.execute("SELECT id, note FROM keyed").fetchall() == [(made, "x")]
    row = db.execute("SELECT 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12'::uuid, gen_random_uuid(), NULL::uuid").fetchone()
    assert row[0] == uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12")
    assert isinstance(row[1], uuid.UUID) and row[1].version == 4
    assert row[2] is None
