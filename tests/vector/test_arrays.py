"""Arrow <-> numpy conversion of vector columns, and the cast INSERT uses to store vector(n)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from agentlake.errors import DataError
from agentlake.vector.arrays import BULK_PARSE_VALUES, as_vectors, parse_vector, to_matrix


def test_to_matrix_handles_slices_nulls_and_ragged_lists():
    fixed = pa.array([[1, 2], None, [5, 6], [7, 8]], pa.list_(pa.float32(), 2)).slice(1)
    values, valid, lengths = to_matrix(fixed)
    assert valid.tolist() == [False, True, True] and values[1:].tolist() == [[5, 6], [7, 8]]
    ragged = pa.array([[1.0], None, [2.0, 3.0]], pa.list_(pa.float64()))
    values, valid, lengths = to_matrix(ragged)
    assert lengths.tolist() == [1, 0, 2] and values[2].tolist() == [2.0, 3.0] and values[0].tolist() == [1.0, 0.0]


def test_to_matrix_of_lists_with_nulls_places_rows_by_position():
    """Equal-length rows with NULLs between them (what COPY builds) and a NULL that still spans
    values (Arrow allows it) come out alike: each row where it was, zeros for the NULLs."""
    packed = pa.array([[1.0, 2.0], None, [3.0, 4.0], None], pa.list_(pa.float32()))
    spanning = pa.ListArray.from_arrays(
        pa.array([0, 2, 4, 6, 8], pa.int32()),
        pa.array(range(1, 9), pa.float32()),
        mask=pa.array([False, True, False, True]),
    )
    for array, third in ((packed, [3, 4]), (spanning, [5, 6])):
        values, valid, lengths = to_matrix(array)
        assert valid.tolist() == [True, False, True, False] and lengths.tolist() == [2, 0, 2, 0]
        assert values.tolist() == [[1, 2], [0, 0], third, [0, 0]]


def test_as_vectors_from_text_lists_and_arrays():
    want = pa.array([[1, 2, 3], None, [4, 5, 6]], pa.list_(pa.float32(), 3))
    assert as_vectors(pa.array(["[1,2,3]", None, "[4, 5, 6]"]), 3).equals(want)
    assert as_vectors(pa.array([[1, 2, 3], None, [4, 5, 6]], pa.list_(pa.float64())), 3).equals(want)
    assert as_vectors(want, 3).equals(want)
    assert as_vectors(pa.nulls(2), 3).null_count == 2


@pytest.mark.parametrize("values", [pa.array(["[1,2]"]), pa.array([[1.0, 2.0]])])
def test_as_vectors_wrong_dimension_is_22000(values):
    with pytest.raises(DataError, match=r"expected 3 dimensions, not 2") as err:
        as_vectors(values, 3)
    assert err.value.sqlstate == "22000"


@pytest.mark.parametrize("text", ["1,2", "[1,,2]", "[a]", "[1,2"])
def test_parse_vector_rejects_bad_text(text):
    with pytest.raises(DataError, match="invalid input syntax for type vector") as err:
        parse_vector(text)
    assert err.value.sqlstate == "22P02"
    with pytest.raises(DataError, match="NaN"):
        parse_vector("[1,nan]")
    assert parse_vector(" [1e1, -2] ").tolist() == [10.0, -2.0]


def test_many_vector_texts_parse_in_bulk_exactly_as_one_by_one():
    """Past BULK_PARSE_VALUES elements the texts go through Arrow's number parser in one pass: the
    same float4s, and the same errors (naming the bad text) as parsing them one at a time."""
    rng = np.random.default_rng(5)
    x = (rng.normal(size=(1100, 64)) * 10.0 ** rng.integers(-8, 8, size=(1100, 64))).astype(np.float32)
    texts = ["[" + ",".join(repr(float(v)) for v in row) + "]" for row in x]
    assert len(texts) * 64 >= BULK_PARSE_VALUES
    parsed = as_vectors(pa.array(texts[:-1] + [None]), 64)
    assert np.array_equal(parsed.values.to_numpy().reshape(-1, 64)[:-1], x[:-1]) and parsed.null_count == 1
    one_by_one = np.stack([parse_vector(text) for text in texts])
    assert np.array_equal(as_vectors(pa.array(texts), 64).values.to_numpy().reshape(-1, 64), one_by_one)
    spaced = [text.replace(",", ", ") for text in texts]
    assert np.array_equal(as_vectors(pa.array(spaced), 64).values.to_numpy().reshape(-1, 64), one_by_one)
    for bad, sqlstate in (
        ("[" + ",".join(["1"] * 63) + ",x]", "22P02"),
        ("[" + ",".join(["nan"] * 64) + "]", "22000"),
        ("[1,2]", "22000"),
    ):
        with pytest.raises(DataError) as err:
            as_vectors(pa.array(texts[:-1] + [bad]), 64)
        assert err.value.sqlstate == sqlstate
