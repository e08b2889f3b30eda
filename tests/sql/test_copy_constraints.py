"""COPY FROM STDIN checks what it loads as INSERT does, on agentlake as on PostgreSQL 16: a key
already there or repeated in the data (23505), a CHECK (23514), a foreign key (23503) or NOT NULL
(23502) fails the COPY and loads none of its rows; in a transaction block the failure aborts the
block (25P02 until ROLLBACK). The whole-row path (every column given) and the column-list path
alike; and the API's bulk load, which COPY's whole-row path uses, checks the same. COPY writes the
values it is given into GENERATED ALWAYS identity columns, as PostgreSQL's does."""

from __future__ import annotations

import psycopg
import pyarrow as pa
import pytest

import agentlake

SETUP = [
    "CREATE TABLE owners (id int PRIMARY KEY)",
    "INSERT INTO owners VALUES (1), (2)",
    "CREATE TABLE pets (id int PRIMARY KEY, tag text UNIQUE, legs int NOT NULL CHECK (legs >= 0),"
    " owner int REFERENCES owners (id))",
    "INSERT INTO pets VALUES (1, 'a', 4, 1)",
    "CREATE TABLE counted (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n int, twice int GENERATED ALWAYS AS (n * 2) STORED)",
]

LOADS = [
    ("COPY pets FROM STDIN", ["1\tz\t4\t1"]),
    ("COPY pets FROM STDIN", ["2\ta\t4\t1"]),
    ("COPY pets FROM STDIN", ["3\tb\t4\t1", "3\tc\t4\t1"]),
    ("COPY pets FROM STDIN", ["4\td\t-1\t1"]),
    ("COPY pets FROM STDIN", ["5\te\t4\t9"]),
    ("COPY pets FROM STDIN", ["6\tf\t\\N\t1"]),
    ("COPY pets (id, tag, legs) FROM STDIN", ["1\tg\t4"]),
    ("COPY pets (id, legs, owner) FROM STDIN WITH (FORMAT csv)", ["7,2,9"]),
    ("COPY pets FROM STDIN", ["8\th\t2\t2", "9\ti\t3\t\\N"]),
]


def _copy(conn: psycopg.Connection, sql: str, lines: list[str]) -> str | None:
    try:
        with conn.cursor().copy(sql) as copy:
            for line in lines:
                copy.write(line + "\n")
    except psycopg.Error as err:
        return err.sqlstate
    return None


@pytest.mark.parametrize("sql, lines", LOADS)
def test_copy_checks_constraints_as_postgresql(both, sql, lines):
    outcomes = [_copy(conn, sql, lines) for conn in (both.lake, both.postgres)]
    assert outcomes[0] == outcomes[1]
    lake, postgres = both.answers("SELECT * FROM pets ORDER BY id")
    assert lake.rows == postgres.rows


def test_copy_writes_given_identity_values_and_computes_generated_ones(both):
    """COPY takes the values it is given for a GENERATED ALWAYS identity column (pg_dump's COPY of
    a table with a generated column names the identity column among the others)."""
    for sql, lines in [("COPY counted (id, n) FROM STDIN", ["10\t1", "11\t2"]), ("COPY counted (n) FROM STDIN", ["3"])]:
        assert _copy(both.lake, sql, lines) == _copy(both.postgres, sql, lines)
    lake, postgres = both.answers("SELECT * FROM counted ORDER BY id")
    assert lake.rows == postgres.rows


def test_a_failed_copy_aborts_the_transaction_block(both):
    for conn in (both.lake, both.postgres):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO owners VALUES (3)")
        assert _copy(conn, "COPY pets FROM STDIN", ["1\tdup\t1\t1"]) == "23505"
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            conn.execute("SELECT 1")
        conn.execute("ROLLBACK")
    lake, postgres = both.answers("SELECT id FROM owners ORDER BY id")
    assert lake.rows == postgres.rows == [(1,), (2,)]


def test_bulk_load_checks_keys_and_loads_nothing_on_a_violation(tmp_path):
    db = agentlake.connect(str(tmp_path / "repo"), create=True)
    db.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
    db.load_arrow("t", pa.table({"id": pa.array([1, 2], pa.int32()), "v": ["a", "b"]}))
    with pytest.raises(agentlake.IntegrityError) as err:
        db.load_arrow("t", pa.table({"id": pa.array([3, 1], pa.int32()), "v": ["c", "again"]}))
    assert err.value.sqlstate == "23505"
    assert db.execute("SELECT id, v FROM t ORDER BY id").fetchall() == [(1, "a"), (2, "b")]
