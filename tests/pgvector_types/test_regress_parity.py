"""Differences pgvector 0.8's regression suite found (issue 16), fixed: distance ORDER BY over tables
of several data files, casts to and from arrays, type modifiers, the vector aggregates (their NULL
over no rows, their errors and SQLSTATEs), the state functions over arrays, halfvec's underflow,
operators between vector and bit types, and TRUNCATE's ivfflat NOTICE. Expected answers are
pgvector's (test/expected/*.out); pgserver's pgvector 0.6 lacks halfvec, sparsevec and bit."""

from __future__ import annotations

import psycopg
import pytest

import agentlake

OPERATORS = ["<->", "<#>", "<=>", "<+>"]


def error(db, sql) -> agentlake.Error:
    with pytest.raises(agentlake.Error) as err:
        db.execute(sql)
    return err.value


def two_files(db, kind: str, first: list[str], second: list[str]) -> None:
    """A table whose rows sit in two data files (one INSERT each): DataFusion scans it as a union."""
    db.execute(f"CREATE TABLE t (id INT, val {kind})")
    db.execute("INSERT INTO t VALUES " + ", ".join(f"({i}, '{v}')" for i, v in enumerate(first)))
    db.execute("INSERT INTO t VALUES " + ", ".join(f"({i + len(first)}, '{v}')" for i, v in enumerate(second)))


# pgvector's answers for {1:1,2:2,3:3}, {1:1,2:1,3:1}, {} against {1:3,2:3,3:3}: cosine puts the zero
# vector (NaN distance) last
SPARSE_ORDER = {"<->": [0, 1, 2], "<#>": [0, 1, 2], "<=>": [1, 0, 2], "<+>": [0, 1, 2]}


@pytest.mark.parametrize("limit", ["", " LIMIT 5"])
@pytest.mark.parametrize("op", OPERATORS)
def test_sparsevec_order_by_distance_over_several_files(db, op, limit):
    two_files(db, "sparsevec(3)", ["{1:1,2:2,3:3}/3", "{1:1,2:1,3:1}/3"], ["{}/3"])
    rows = db.execute(f"SELECT id FROM t ORDER BY val {op} '{{1:3,2:3,3:3}}/3'{limit}").fetchall()
    assert [r[0] for r in rows] == SPARSE_ORDER[op]


@pytest.mark.parametrize("limit", ["", " LIMIT 5"])
@pytest.mark.parametrize("kind", ["vector(3)", "halfvec(3)"])
def test_dense_order_by_distance_over_several_files(db, kind, limit):
    two_files(db, kind, ["[1,2,3]", "[1,1,1]"], ["[0,0,0]"])
    for op, order in {"<->": [0, 1, 2], "<#>": [0, 1, 2], "<=>": [1, 0, 2], "<+>": [0, 1, 2]}.items():
        assert [r[0] for r in db.execute(f"SELECT id FROM t ORDER BY val {op} '[3,3,3]'{limit}")] == order


@pytest.mark.parametrize("limit", ["", " LIMIT 5"])
def test_operators_of_the_other_family_do_not_exist(db, limit):
    two_files(db, "bit(3)", ["101", "111"], ["000"])
    for op in OPERATORS:
        err = error(db, f"SELECT * FROM t ORDER BY val {op} '110'{limit}")
        assert (err.sqlstate, str(err)) == ("42883", f"operator does not exist: bit {op} unknown")
    assert [r[0] for r in db.execute(f"SELECT val FROM t ORDER BY val <%> '110', id{limit}")] == ["111", "101", "000"]
    db.execute("CREATE TABLE v (val vector(3))")
    err = error(db, f"SELECT * FROM v ORDER BY val <~> '[1,2,3]'{limit}")
    assert (err.sqlstate, str(err)) == ("42883", "operator does not exist: vector <~> unknown")


def test_sparsevec_distance_beside_a_vector_search(db):
    """The select list's sparsevec literal is not read as the vector the search ranks by."""
    db.execute("CREATE TABLE m (v vector(2), s sparsevec(2))")
    db.execute("INSERT INTO m VALUES ('[1,0]', '{1:1}/2'), ('[0,1]', '{2:1}/2')")
    rows = db.execute("SELECT s <-> '{1:1}/2' AS d FROM m ORDER BY v <-> '[1,0]' LIMIT 2").fetchall()
    assert [r[0] for r in rows] == [0, pytest.approx(2**0.5)]


def test_vectors_cast_to_real_arrays_are_real_arrays(db):
    for kind in ("vector", "halfvec"):
        cur = db.execute(f"SELECT '[1,2,3]'::{kind}::real[]")
        assert cur.description[0][1] != "vector" and list(cur.fetchone()[0]) == [1, 2, 3]
    assert db.execute("SELECT ARRAY[]::real[]").fetchone()[0] == []  # an empty real[] is not a NULL vector


def test_array_casts_and_type_modifiers(db):
    for kind in ("vector", "halfvec", "sparsevec"):
        err = error(db, f"SELECT '{{{{1}}}}'::real[]::{kind}")
        assert (err.sqlstate, str(err)) == ("22000", "array must be 1-D")
        err = error(db, f"SELECT '[1,2,3]'::{kind}(3, 2)" if kind != "sparsevec" else "SELECT '{}/3'::sparsevec(3, 2)")
        assert (err.sqlstate, str(err)) == ("22023", "invalid type modifier")
        err = error(db, f"CREATE TABLE bad_{kind} (v {kind}(3, 2))")
        assert (err.sqlstate, str(err)) == ("22023", "invalid type modifier")
    assert error(db, "SELECT ARRAY[[1]]::real[]::vector").sqlstate == "22000"
    assert str(error(db, "CREATE TABLE zero (v vector(0))")) == "dimensions for type vector must be at least 1"
    assert str(error(db, "SELECT '{}/16001'::sparsevec::halfvec")) == "halfvec cannot have more than 16000 dimensions"
    assert db.execute("SELECT '{1:1.5,3:2}/3'::sparsevec::halfvec::text").fetchone()[0] == "[1.5,0,2]"
    err = error(db, "SELECT array_to_vector(array_agg(n), 16001, false) FROM generate_series(1, 16001) n")
    assert (err.sqlstate, str(err)) == ("54000", "vector cannot have more than 16000 dimensions")
    assert str(error(db, "SELECT array_to_vector(ARRAY[1,2], 3, true)")) == "expected 3 dimensions, not 2"
    assert db.execute("SELECT array_to_vector(ARRAY[1,2], -1, true)::text").fetchone()[0] == "[1,2]"


@pytest.mark.parametrize("kind", ["vector", "halfvec"])
def test_vector_aggregates_over_no_rows_are_null(db, kind):
    for aggregate in ("avg", "sum"):
        assert db.execute(f"SELECT {aggregate}(v) FROM unnest(ARRAY[]::{kind}[]) v").fetchone() == (None,)
    db.execute(f"CREATE TABLE e (v {kind}(2))")
    assert db.execute("SELECT avg(v), sum(v) FROM e").fetchone() == (None, None)
    assert db.execute(f"SELECT avg(v)::text FROM unnest(ARRAY['[1,2]', '[3,4]']::{kind}[]) v").fetchone() == ("[2,3]",)


@pytest.mark.parametrize("kind", ["vector", "halfvec"])
def test_vector_aggregate_errors_are_pgvectors(db, kind):
    err = error(db, f"SELECT avg(v) FROM unnest(ARRAY['[1,2]'::{kind}, '[3]']) v")
    assert (err.sqlstate, str(err)) == ("22000", "expected 2 dimensions, not 1")
    err = error(db, f"SELECT sum(v) FROM unnest(ARRAY['[1,2]'::{kind}, '[3]']) v")
    assert (err.sqlstate, str(err)) == ("22000", f"different {kind} dimensions 2 and 1")
    big = "3e38" if kind == "vector" else "65504"
    err = error(db, f"SELECT sum(v) FROM unnest(ARRAY['[{big}]'::{kind}, '[{big}]']) v")
    assert (err.sqlstate, str(err)) == ("22003", "value out of range: overflow")


def test_state_functions_take_arrays(db):
    for kind in ("vector", "halfvec"):
        err = error(db, f"SELECT {kind}_avg(array_agg(n)) FROM generate_series(1, 16002) n")
        assert (err.sqlstate, str(err)) == ("54000", f"{kind} cannot have more than 16000 dimensions")
    err = error(db, "SELECT vector_combine('{0}', (SELECT array_agg(n) FROM generate_series(1, 16002) n))")
    assert str(err) == "vector cannot have more than 16000 dimensions"
    assert db.execute("SELECT vector_avg(array_agg(n))::text FROM generate_series(1, 3) n").fetchone() == ("[2,3]",)
    assert db.execute("SELECT vector_avg(NULL)").fetchone() == (None,)
    assert str(error(db, "SELECT vector_avg(ARRAY[1,NULL]::float8[])")) == "vector_avg: expected state array"


def test_halfvec_product_underflow(db):
    err = error(db, "SELECT '[1e-7]'::halfvec * '[1e-7]'")
    assert (err.sqlstate, str(err)) == ("22003", "value out of range: underflow")
    assert db.execute("SELECT ('[1,2]'::halfvec * '[3,4]')::text").fetchone() == ("[3,8]",)


def test_vector_index_on_an_expression_is_refused(db):
    db.execute("CREATE TABLE b (val varbit, v vector(3))")
    err = error(db, "CREATE INDEX ON b USING hnsw ((val::bit(3)) bit_hamming_ops)")
    assert err.sqlstate == "0A000"
    db.execute("CREATE INDEX ON b USING hnsw ((v) vector_cosine_ops)")  # a parenthesized column is the column


@pytest.fixture
def conn(make_server):
    server = make_server()
    with psycopg.connect(server.dsn(), autocommit=True) as connection:
        notices: list = []
        connection.add_notice_handler(lambda n: notices.append((n.message_primary, n.message_detail, n.message_hint)))
        connection.notices = notices
        yield connection


def test_over_the_wire(conn):
    conn.execute("CREATE TABLE t (val sparsevec(3))")
    conn.execute("INSERT INTO t VALUES ('{1:1,2:2,3:3}/3'), ('{1:1,2:1,3:1}/3')")
    conn.execute("INSERT INTO t VALUES ('{}/3')")
    for limit in ("", " LIMIT 5"):
        rows = conn.execute(f"SELECT val::text AS v FROM t ORDER BY val <=> '{{1:3,2:3,3:3}}/3'{limit}").fetchall()
        assert rows == [("{1:1,2:1,3:1}/3",), ("{1:1,2:2,3:3}/3",), ("{}/3",)]
    cur = conn.execute("SELECT '[1,2,3]'::vector::real[], '[1,2,3]'::halfvec::real[]")
    assert [d.type_code for d in cur.description] == [1021, 1021]  # float4[]
    assert cur.fetchone() == ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert conn.execute("SELECT avg(v), sum(v) FROM unnest(ARRAY[]::vector[]) v").fetchone() == (None, None)
    with pytest.raises(psycopg.errors.DataException) as err:
        conn.execute("SELECT sum(v) FROM unnest(ARRAY['[1,2]'::vector, '[3]']) v")
    assert err.value.diag.message_primary == "different vector dimensions 2 and 1"
    with pytest.raises(psycopg.errors.NumericValueOutOfRange) as err:
        conn.execute("SELECT sum(v) FROM unnest(ARRAY['[3e38]'::vector, '[3e38]']) v")
    assert err.value.diag.message_primary == "value out of range: overflow"
    with pytest.raises(psycopg.errors.InvalidParameterValue) as err:
        conn.execute("SELECT '[1,2,3]'::vector(3, 2)")
    assert (err.value.diag.message_primary, err.value.diag.statement_position) == ("invalid type modifier", "19")
    with pytest.raises(psycopg.errors.DataException) as err:
        conn.execute("SELECT '{{1}}'::real[]::vector")
    assert err.value.diag.message_primary == "array must be 1-D"
    with pytest.raises(psycopg.errors.UndefinedFunction) as err:
        conn.execute("CREATE TABLE b (val bit(3)); SELECT * FROM b ORDER BY val <-> '110' LIMIT 5")
    assert err.value.diag.message_primary == "operator does not exist: bit <-> unknown"


def test_truncate_rebuilds_an_ivfflat_index_with_little_data(conn):
    conn.execute("CREATE TABLE t (val vector(3))")
    conn.execute("INSERT INTO t SELECT ARRAY[i, i + 1, i + 2]::real[]::vector FROM generate_series(1, 3) i")
    conn.execute("CREATE INDEX ON t USING ivfflat (val vector_l2_ops) WITH (lists = 1)")
    assert not conn.notices
    conn.execute("TRUNCATE t")
    assert conn.notices == [
        (
            "ivfflat index created with little data",
            "This will cause low recall.",
            "Drop the index until the table has more data.",
        )
    ]
