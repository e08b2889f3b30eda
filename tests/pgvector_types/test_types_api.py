"""halfvec, sparsevec and bit through the Python API, with pgvector 0.8's answers and errors."""

from __future__ import annotations

import math

import pytest

import agentlake


def one(db, sql):
    return db.execute(sql).fetchone()[0]


def error(db, sql) -> agentlake.Error:
    with pytest.raises(agentlake.Error) as err:
        db.execute(sql)
    return err.value


def test_halfvec_is_stored_as_float16_and_prints_its_float16_value(db):
    db.execute("CREATE TABLE h (id INT, v halfvec(3))")
    db.execute("INSERT INTO h VALUES (1, '[1.23456,2,3]'), (2, '[65519,-65519,1e-8]'), (3, NULL)")
    table = db.execute("SELECT v FROM h ORDER BY id").fetch_arrow()
    assert str(table.schema.field("v").type.value_type) == "halffloat"
    assert one(db, "SELECT v::text FROM h WHERE id = 1") == "[1.234375,2,3]"  # float16's nearest value
    assert one(db, "SELECT v::text FROM h WHERE id = 2") == "[65504,-65504,0]"
    assert one(db, "SELECT v <-> '[1,2,3]' FROM h WHERE id = 1") == pytest.approx(0.234375)


def test_halfvec_errors_are_pgvectors(db):
    err = error(db, "SELECT '[65520,-65520]'::halfvec")
    assert (err.sqlstate, str(err)) == ("22003", '"65520" is out of range for type halfvec')
    assert str(error(db, "SELECT '[1,2]'::halfvec + '[3]'")) == "different halfvec dimensions 2 and 1"
    assert str(error(db, "SELECT '[65519]'::halfvec + '[65519]'")) == "value out of range: overflow"
    assert str(error(db, "SELECT '{NaN}'::real[]::halfvec")) == "NaN not allowed in halfvec"


def test_sparsevec_text_distances_and_order(db):
    assert one(db, "SELECT ' { 1 : 1.5 ,  3  :  3.5  } / 5 '::sparsevec::text") == "{1:1.5,3:3.5}/5"
    assert one(db, "SELECT '{2:1,1:1}/2'::sparsevec::text") == "{1:1,2:1}/2"
    assert one(db, "SELECT '{}/1000000000'::sparsevec::text") == "{}/1000000000"  # stored sparse
    assert one(db, "SELECT l2_distance('{1:3}/2'::sparsevec, '{2:4}/2')") == 5
    assert one(db, "SELECT inner_product('{1:1,3:3,5:5}/5'::sparsevec, '{2:4,3:6,4:8}/5')") == 18
    assert one(db, "SELECT cosine_distance('{1:1,2:2}/2'::sparsevec, '{1:2,2:4}/2')") == 0
    assert one(db, "SELECT '{}/2'::sparsevec <+> '{1:3,2:4}/2'") == 7
    assert one(db, "SELECT sparsevec_cmp('{1:1,2:2}/2', '{1:1,2:2,3:3}/3')") == -1
    assert one(db, "SELECT '[0,1.5,0,3.5,0]'::vector::sparsevec::text") == "{2:1.5,4:3.5}/5"
    db.execute("CREATE TABLE s (v sparsevec(3))")
    db.execute("INSERT INTO s VALUES ('{}/3'), ('{1:1,2:2,3:3}/3'), ('{1:1,2:1,3:1}/3'), (NULL)")
    assert [r[0] for r in db.execute("SELECT v::text AS t FROM s WHERE v IS NOT NULL ORDER BY s.v").fetchall()] == [
        "{}/3",
        "{1:1,2:1,3:1}/3",
        "{1:1,2:2,3:3}/3",
    ]
    assert str(error(db, "INSERT INTO s VALUES ('{1:1}/4')")) == "expected 3 dimensions, not 4"


def test_sparsevec_errors_are_pgvectors(db):
    err = error(db, "SELECT '{1:1,1:1}/2'::sparsevec")
    assert (err.sqlstate, str(err)) == ("22000", "sparsevec indices must not contain duplicates")
    assert str(error(db, "SELECT '{2:1}/1'::sparsevec")) == "sparsevec index out of bounds"
    err = error(db, "SELECT '{}'::sparsevec")
    assert (err.sqlstate, err.detail) == ("22P02", "Unexpected end of input.")


def test_bit_distances_and_binary_quantize(db):
    assert one(db, "SELECT hamming_distance('111', '100')") == 2
    assert one(db, "SELECT jaccard_distance('1100', '1000')") == 0.5
    assert one(db, "SELECT jaccard_distance('', '')") == 1
    assert one(db, "SELECT B'101' <~> B'011'") == 2
    assert one(db, "SELECT binary_quantize('[1,0,-1]'::halfvec)") == "100"
    assert str(error(db, "SELECT hamming_distance('111', '00')")) == "different bit lengths 3 and 2"
    db.execute("CREATE TABLE b (v bit(4))")
    db.execute("INSERT INTO b VALUES (B'0000'), (B'1100'), (B'1111'), (NULL)")
    assert [r[0] for r in db.execute("SELECT v FROM b WHERE v IS NOT NULL ORDER BY v <%> B'1111'").fetchall()] == [
        "1111",
        "1100",
        "0000",
    ]


def test_vector_overflow_is_infinity_and_state_functions(db):
    assert math.isinf(one(db, "SELECT l2_distance('[3e38]'::vector, '[-3e38]')"))
    assert math.isinf(one(db, "SELECT inner_product('[3e38]'::vector, '[3e38]')"))
    assert math.isnan(one(db, "SELECT cosine_distance('[3e38]'::vector, '[3e38]')"))
    assert one(db, "SELECT vector_avg('{2,2,4,6}')::text") == "[1,2,3]"
    assert one(db, "SELECT vector_accum('{0}', '[1,2,3]')") == [1, 1, 2, 3]
    assert one(db, "SELECT vector_combine('{1,2}', '{3,4}')") == [4, 6]
    assert str(error(db, "SELECT vector_combine('{NULL,2}', '{3,4}')")) == "vector_combine: expected state array"
    assert one(db, "SELECT ('[1,2,3]'::vector || '[4,5]')::text") == "[1,2,3,4,5]"
    assert one(db, "SELECT avg(v)::text FROM unnest(ARRAY['[1,2,3]'::halfvec, '[3,5,7]', NULL]) v") == "[2,3.5,5]"


def test_literal_errors_carry_position_and_detail(db):
    err = error(db, "SELECT 1, '1,2,3'::vector")
    assert (err.sqlstate, err.position, err.detail) == ("22P02", 11, 'Vector contents must start with "[".')
    err = error(db, "SELECT '[1,2,3]'::vector(0)")
    assert (str(err), err.position) == ("dimensions for type vector must be at least 1", 19)


@pytest.mark.parametrize("kind", ["vector", "halfvec"])
def test_vector_text_reads_as_float4_of_each_decimal_whatever_its_spacing(db, kind):
    """Clients print vectors as plain decimal lists; they are read in one pass, with the values
    and errors of pgvector's element-by-element reading."""
    import numpy as np

    rng = np.random.default_rng(5)
    values = rng.standard_normal(384) * 10.0 ** rng.integers(-6, 4, 384)
    printed = [f"{x:.9g}" for x in values]
    spaced = " [ " + " ,\t".join(printed) + " ]\n"
    want = np.array([float(x) for x in printed]).astype(np.float32)
    if kind == "halfvec":
        want = want.astype(np.float16)
    got = db.execute(f"SELECT %s::{kind}", [spaced]).fetch_arrow().column(0)[0].values.to_numpy()
    assert got.tobytes() == want.tobytes()
    for text, sqlstate in [("[1,]", "22P02"), ("[1 2]", "22P02"), ("[1e40]", "22003"), ("[1,nan]", "22000")]:
        assert error(db, f"SELECT '{text}'::{kind}").sqlstate == sqlstate, text
