"""A top-k statement run again with a new vector answers as the first run did, whatever changed in
between: the table's schema, the table itself, the transaction's own rows, or a bad vector."""

from __future__ import annotations

import numpy as np
import pytest

import agentlake

SQL = "SELECT id, note FROM docs ORDER BY embedding <-> %s LIMIT 3"


@pytest.fixture
def docs(db):
    db.execute("CREATE TABLE docs (id bigint PRIMARY KEY, note text, embedding vector(3))")
    db.executemany(
        "INSERT INTO docs VALUES (%s, %s, %s)", [(i, f"n{i}", np.array([i, 0, 0], np.float32)) for i in range(10)]
    )
    return db


def _ids(db, vector, sql=SQL) -> list[int]:
    return [r[0] for r in db.execute(sql, [vector]).fetchall()]


def test_each_repeat_searches_its_own_vector(docs):
    for x in (2.2, 7.9, 0.1, 5.5):
        assert _ids(docs, np.array([x, 0, 0], np.float32)) == sorted(range(10), key=lambda i: (abs(i - x), i))[:3]
    assert _ids(docs, [4.0, 0, 0]) == [4, 3, 5]  # a list is a vector as well as an array is
    rows = docs.execute("SELECT id, embedding <-> %s AS d FROM docs ORDER BY d LIMIT 2", [[3.25, 0, 0]]).fetchall()
    rows += docs.execute("SELECT id, embedding <-> %s AS d FROM docs ORDER BY d LIMIT 2", [[8.5, 0, 0]]).fetchall()
    assert rows == [(3, 0.25), (4, 0.75), (8, 0.5), (9, 0.5)]


def test_a_changed_table_is_planned_again(docs):
    assert _ids(docs, [6.1, 0, 0]) == [6, 7, 5]
    docs.execute("ALTER TABLE docs ADD COLUMN extra int")
    docs.execute("UPDATE docs SET note = 'moved', embedding = '[6.1,0,0]' WHERE id = 0")
    assert docs.execute(SQL, [[6.1, 0, 0]]).fetchall() == [(0, "moved"), (6, "n6"), (7, "n7")]
    docs.execute("DROP TABLE docs")
    with pytest.raises(agentlake.ProgrammingError) as gone:
        docs.execute(SQL, [[1, 0, 0]])
    assert gone.value.sqlstate == "42P01"
    docs.execute("CREATE TABLE docs (id bigint PRIMARY KEY, note text, embedding vector(2))")
    docs.execute("INSERT INTO docs VALUES (1, 'flat', '[1,1]')")
    assert docs.execute(SQL, [[1, 1]]).fetchall() == [(1, "flat")]
    with pytest.raises(agentlake.DataError) as wrong:
        docs.execute(SQL, [[1, 1, 1]])
    assert wrong.value.sqlstate == "22000"


def test_bad_vectors_and_failed_transactions_answer_as_the_first_run_would(docs):
    assert _ids(docs, [1, 0, 0]) == [1, 0, 2]
    for bad, sqlstate in (([float("nan"), 0, 0], "22000"), ([1, 0], "22000")):
        with pytest.raises(agentlake.DataError) as refused:
            docs.execute(SQL, [bad])
        assert refused.value.sqlstate == sqlstate
    docs.autocommit = False
    with pytest.raises(agentlake.Error):
        docs.execute("SELECT 1 / 0")
    with pytest.raises(agentlake.Error) as aborted:
        docs.execute(SQL, [[1, 0, 0]])
    assert aborted.value.sqlstate == "25P02"
    docs.rollback()
    docs.execute("INSERT INTO docs VALUES (100, 'mine', '[1,0,0]')")
    assert _ids(docs, [1, 0, 0]) == [1, 100, 0]  # the transaction sees its own rows
    docs.rollback()
    assert _ids(docs, [1, 0, 0]) == [1, 0, 2]


def test_a_statement_with_a_literal_vector_or_a_filter_keeps_its_meaning(docs):
    """Only the query vector may come from the parameter: a repeat changes nothing else."""
    literal = "SELECT id, embedding <-> '[9,0,0]' AS far FROM docs ORDER BY embedding <-> %s LIMIT 2"
    assert docs.execute(literal, [[0, 0, 0]]).fetchall() == [(0, 9.0), (1, 8.0)]
    assert docs.execute(literal, [[5, 0, 0]]).fetchall() == [(5, 4.0), (4, 5.0)]
    limit = "SELECT id FROM docs ORDER BY embedding <-> '[0,0,0]' LIMIT %s"
    assert [len(docs.execute(limit, [n]).fetchall()) for n in (2, 4)] == [2, 4]
    filtered = "SELECT id FROM docs WHERE id > 4 ORDER BY embedding <-> %s LIMIT 2"
    assert _ids(docs, [0, 0, 0], filtered) == [5, 6] and _ids(docs, [9, 0, 0], filtered) == [9, 8]


def test_explain_of_a_top_k_stays_an_explanation(docs):
    for x in (1, 2):
        lines = [r[0] for r in docs.execute(f"EXPLAIN ANALYZE {SQL}", [[x, 0, 0]]).fetchall()]
        assert any(line.startswith("agentlake route") for line in lines)


def test_a_filtered_statement_repeats_with_its_filter(docs):
    docs.execute("UPDATE docs SET note = 'odd' WHERE id % 2 = 1")
    sql = "SELECT id FROM docs WHERE note = 'odd' AND id >= 3 ORDER BY embedding <-> %s LIMIT 2"
    assert [_ids(docs, [x, 0, 0], sql) for x in (0, 9, 4.2)] == [[3, 5], [9, 7], [5, 3]]
    like = "SELECT id FROM docs WHERE note LIKE 'n%' ORDER BY embedding <-> %s LIMIT 2"  # a filter DataFusion runs
    assert [_ids(docs, [x, 0, 0], like) for x in (9, 0, 5)] == [[8, 6], [0, 2], [4, 6]]
    docs.execute("UPDATE docs SET note = 'odd' WHERE id = 8")
    assert _ids(docs, [9, 0, 0], sql) == [9, 8] and _ids(docs, [9, 0, 0], like) == [6, 4]


def test_a_filters_parameters_are_bound_again_on_each_repeat(docs):
    """The filter's values come from parameters too (an agent's own rows among everyone's): each
    repeat binds its own, and a parameter of another kind (text for a number, NULL, a number past
    bigint) or a LIMIT from a parameter is planned, as the first run was."""
    docs.execute("UPDATE docs SET note = 'odd' WHERE id % 2 = 1")
    sql = "SELECT id, embedding <-> %s AS d FROM docs WHERE note = %s AND id >= %s ORDER BY embedding <-> %s LIMIT 2"

    def expected(x: float, note: str, low: int) -> list[tuple[int, float]]:
        ids = [i for i in range(10) if ("odd" if i % 2 else f"n{i}") == note and i >= low]
        return [(i, abs(i - x)) for i in sorted(ids, key=lambda i: (abs(i - x), i))[:2]]

    def run(x, note, low):
        vector = np.array([x, 0, 0], np.float32)
        return [(i, round(d, 4)) for i, d in docs.execute(sql, [vector, note, low, vector]).fetchall()]

    for x, note, low in ((0, "odd", 3), (9, "odd", 0), (4.5, "n4", 0), (9, "odd", 8), (2, "n2", 5), (6, "n6", 6)):
        assert run(x, note, low) == [(i, round(d, 4)) for i, d in expected(x, note, low)]
    assert run(0, "odd", "5") == [(5, 5.0), (7, 7.0)]  # text compared with an integer column, as PostgreSQL casts it
    assert run(0, "odd", None) == []
    assert run(0, "odd", 2**70) == []
    assert run(9, "odd", 0) == [(9, 0.0), (7, 2.0)]
    limited = "SELECT id FROM docs WHERE id >= %s ORDER BY embedding <-> %s LIMIT %s"
    assert [len(docs.execute(limited, [0, [0, 0, 0], n]).fetchall()) for n in (2, 5, 1)] == [2, 5, 1]


def test_a_vector_sent_as_text_repeats_as_the_planned_path_reads_it(docs):
    """Wire clients send the query vector as pgvector text (``%s::vector``); repeats parse each
    one as the first run did, and text that is not a vector fails as it did."""
    sql = "SELECT id FROM docs WHERE id <> %s ORDER BY embedding <-> %s::vector LIMIT 2"
    assert [
        [r[0] for r in docs.execute(sql, [skip, text]).fetchall()]
        for skip, text in (
            (0, "[0,0,0]"),
            (9, "[ 8.6 , 0, 0 ]"),
            (5, "[5,0,0]"),
        )
    ] == [[1, 2], [8, 7], [4, 6]]
    assert [r[0] for r in docs.execute(sql, [1, np.array([1, 0, 0], np.float32)]).fetchall()] == [0, 2]
    for bad, sqlstate in (("[1,2", "22P02"), ("[1,0]", "22000"), ("[NaN,0,0]", "22000")):
        with pytest.raises(agentlake.DataError) as refused:
            docs.execute(sql, [0, bad])
        assert refused.value.sqlstate == sqlstate
    assert [r[0] for r in docs.execute(sql, [3, "[3.2,0,0]"]).fetchall()] == [4, 2]
