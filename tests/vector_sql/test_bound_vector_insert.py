"""A vector bound into INSERT ... VALUES (how agents write embeddings) is stored without planning
the VALUES; what is stored, or the error, is what the planned path gives: the same values sent as
``INSERT ... SELECT``, which DataFusion evaluates."""

from __future__ import annotations

import numpy as np
import pytest

import agentlake

COLUMNS = ["v", "free", "h", "r", "s"]
VALUES = {
    "float32": np.array([1, 2, 3], np.float32),
    "float64": np.array([0.5, -1.25, 3], np.float64),
    "short": np.array([1, 2], np.float32),
    "nan": np.array([np.nan, 1, 2], np.float32),
    "inf": np.array([np.inf, 1, 2], np.float32),
    "null": None,
    "list": [1.5, 2.5, 3.5],
}


@pytest.fixture
def db(tmp_path):
    conn = agentlake.connect(str(tmp_path / "repo"))
    conn.execute("CREATE TABLE t (id int, v vector(3), free vector, h halfvec(3), r real[], s text)")
    yield conn
    conn.close()


def _outcome(db, sql: str, params) -> tuple:
    try:
        db.execute(sql, params)
    except agentlake.Error as err:
        return ("error", err.sqlstate, str(err))
    rows = db.execute("SELECT id, v::text, free::text, h::text, r::text, s FROM t ORDER BY id").fetchall()
    db.execute("DELETE FROM t")
    return ("rows", rows)


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("value", list(VALUES), ids=list(VALUES))
def test_values_store_what_select_stores(db, column, value):
    params = [1, VALUES[value]]
    got = _outcome(db, f"INSERT INTO t (id, {column}) VALUES (%s, %s)", params)
    want = _outcome(db, f"INSERT INTO t (id, {column}) SELECT %s, %s", params)
    assert got == want


@pytest.mark.parametrize("column", ["v", "free", "h"])
def test_several_rows(db, column):
    rows = [np.array([1, 2, 3], np.float32), None, np.array([4, 5, 6, 7], np.float32)]
    got = _outcome(db, f"INSERT INTO t (id, {column}) VALUES (1, %s), (2, %s), (3, %s)", rows)
    want = _outcome(
        db, f"INSERT INTO t (id, {column}) SELECT 1, %s UNION ALL SELECT 2, %s UNION ALL SELECT 3, %s", rows
    )
    assert got == want
    if column == "free":
        assert got == (
            "rows",
            [
                (1, None, "[1,2,3]", None, None, None),
                (2, None, None, None, None, None),
                (3, None, "[4,5,6,7]", None, None, None),
            ],
        )
    else:
        assert got[:2] == ("error", "22000") and "expected 3 dimensions, not 4" in got[2]


@pytest.mark.parametrize("column", ["v", "free", "h", "r"])
def test_several_rows_of_the_columns_dimension_with_a_null_between(db, column):
    rows = [np.array([1, 2, 3], np.float32), None, np.array([4, 5.5, -6], np.float32)]
    got = _outcome(db, f"INSERT INTO t (id, {column}) VALUES (1, %s), (2, %s), (3, %s)", rows)
    want = _outcome(
        db, f"INSERT INTO t (id, {column}) SELECT 1, %s UNION ALL SELECT 2, %s UNION ALL SELECT 3, %s", rows
    )
    assert got == want and got[0] == "rows"


@pytest.mark.parametrize("column", ["v", "free", "h", "r"])
def test_bound_vectors_beside_vector_text_store_both(db, column):
    """PostgreSQL reads both rows of ``VALUES (%s), ('[4,5,6]')`` as the column's type; DataFusion's
    VALUES refused the mix ("Inconsistent data type across values list")."""
    literal = "{4,5,6}" if column == "r" else "[4,5,6]"
    got = _outcome(
        db, f"INSERT INTO t (id, {column}) VALUES (%s, %s), (2, '{literal}')", [1, np.array([1, 2.5, 3], np.float32)]
    )
    text = "{1,2.5,3}" if column == "r" else "[1,2.5,3]"
    want = _outcome(db, f"INSERT INTO t (id, {column}) VALUES (1, '{text}'), (2, '{literal}')", None)
    assert got == want and got[0] == "rows"
