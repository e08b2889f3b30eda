"""halfvec, sparsevec and bit through a real server: psycopg with pgvector's adapter (text and binary),
psql-visible error fields (position, DETAIL, HINT) and pgvector's NOTICE."""

from __future__ import annotations

import numpy as np
import psycopg
import pytest
from pgvector.bit import Bit
from pgvector.halfvec import HalfVector
from pgvector.psycopg import register_vector
from pgvector.sparsevec import SparseVector


@pytest.fixture
def conn(make_server):
    server = make_server()
    with psycopg.connect(server.dsn(), autocommit=True) as connection:
        connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
        register_vector(connection)
        yield connection


@pytest.mark.parametrize("binary", [False, True])
def test_halfvec_round_trips_and_searches(conn, binary):
    conn.execute("CREATE TABLE h (id INT, v halfvec(3))")
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO h VALUES (%s, %s)", [(1, HalfVector([1, 2, 3])), (2, HalfVector([1.5, 0, -2])), (3, None)]
        )
    rows = conn.execute(
        "SELECT id, v FROM h ORDER BY v <-> %s LIMIT 2", [HalfVector([1, 2, 2.5])], binary=binary
    ).fetchall()
    assert [r[0] for r in rows] == [1, 2]
    assert isinstance(rows[0][1], HalfVector) and rows[0][1].to_list() == [1, 2, 3]


@pytest.mark.parametrize("binary", [False, True])
def test_sparsevec_round_trips(conn, binary):
    conn.execute("CREATE TABLE s (id INT, v sparsevec(5))")
    conn.execute("INSERT INTO s VALUES (1, %s), (2, '{1:1}/5')", [SparseVector({0: 1.5, 3: 3.5}, 5)])
    rows = conn.execute("SELECT id, v FROM s ORDER BY v <#> '{1:1,4:1}/5'", binary=binary).fetchall()
    assert [r[0] for r in rows] == [1, 2]
    got = rows[0][1]
    assert isinstance(got, SparseVector) and (got.dimensions(), got.indices(), got.values()) == (5, [0, 3], [1.5, 3.5])


def test_bit_columns_and_distances(conn):
    conn.execute("CREATE TABLE b (id INT, v bit(4))")
    conn.execute("INSERT INTO b VALUES (1, B'1111'), (2, B'1100'), (3, B'0000')")
    rows = conn.execute("SELECT id, v <~> %s FROM b ORDER BY v <~> %s", [Bit("1110").to_text()] * 2).fetchall()
    assert [r[1] for r in rows] == [1.0, 1.0, 3.0] and rows[2][0] == 3
    assert conn.execute("SELECT binary_quantize(%s::vector)::text", [np.array([1, -1, 0.5])]).fetchone() == ("101",)


def test_errors_carry_position_detail_and_hint(conn):
    with pytest.raises(psycopg.errors.InvalidTextRepresentation) as err:
        conn.execute("SELECT '[1,2'::halfvec")
    assert (err.value.diag.message_primary, err.value.diag.statement_position) == (
        'invalid input syntax for type halfvec: "[1,2"',
        "8",
    )
    with pytest.raises(psycopg.errors.InvalidTextRepresentation) as err:
        conn.execute("SELECT '{}/1a'::sparsevec")
    assert err.value.diag.message_detail == "Junk after closing."
    with pytest.raises(psycopg.Error) as err:
        conn.execute("SET hnsw.iterative_scan = on")
    assert err.value.diag.message_hint == "Available values: off, relaxed_order, strict_order."
    with pytest.raises(psycopg.Error) as err:
        conn.execute("CREATE TABLE t (v vector(3)); CREATE INDEX ON t USING hnsw (v vector_l2_ops) WITH (m = 1)")
    assert err.value.diag.message_detail == 'Valid values are between "2" and "100".'


def test_ivfflat_on_little_data_notices_as_pgvector(conn):
    notices = []
    conn.add_notice_handler(lambda n: notices.append((n.message_primary, n.message_detail, n.message_hint)))
    conn.execute("CREATE TABLE t (v vector(3))")
    conn.execute("INSERT INTO t VALUES ('[1,2,3]')")
    conn.execute("CREATE INDEX ON t USING ivfflat (v vector_l2_ops) WITH (lists = 10)")
    assert notices == [
        (
            "ivfflat index created with little data",
            "This will cause low recall.",
            "Drop the index until the table has more data.",
        )
    ]
