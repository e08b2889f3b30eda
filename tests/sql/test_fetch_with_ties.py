"""``FETCH FIRST n ROWS WITH TIES`` returns the first n rows and every row level with the last, as
PostgreSQL 16 does (it was refused: 0A000, "FETCH clause is not supported"); with OFFSET, by position
or output name, over groups, in a subquery and with bound parameters."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE scores (id int PRIMARY KEY, name text, score numeric(10,2))",
    """INSERT INTO scores VALUES (1, 'alice', 10.5), (2, 'bob', 20.25), (3, 'carol', 20.25), (4, 'dave', NULL),
       (5, 'eve', 5), (6, 'fay', 20.25)""",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id FROM scores ORDER BY score DESC NULLS LAST FETCH FIRST 1 ROWS WITH TIES",
        "SELECT id FROM scores ORDER BY score DESC NULLS LAST, id FETCH FIRST 2 ROWS WITH TIES",
        "SELECT * FROM scores ORDER BY score NULLS FIRST OFFSET 1 ROWS FETCH FIRST 2 ROWS WITH TIES",
        "SELECT name, score * 2 FROM scores ORDER BY 2 DESC, 1 FETCH FIRST 1 ROWS WITH TIES",
        "SELECT name AS n, score AS s FROM scores ORDER BY s, n FETCH NEXT 2 ROWS WITH TIES",
        "SELECT score, count(*) FROM scores GROUP BY score ORDER BY count(*) DESC FETCH FIRST 1 ROWS WITH TIES",
        "SELECT id FROM (SELECT id FROM scores ORDER BY score FETCH FIRST 3 ROWS WITH TIES) x ORDER BY id",
        "SELECT id FROM scores WHERE score > 6 ORDER BY score, id FETCH FIRST ROW WITH TIES",
        "SELECT id FROM scores ORDER BY score FETCH FIRST 2 ROWS ONLY",
    ],
)
def test_with_ties_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, sorted(lake.rows, key=repr)) == (
        postgres.names,
        postgres.type_oids,
        sorted(postgres.rows, key=repr),
    )


def test_bound_counts_and_offsets(both):
    sql = "SELECT id FROM scores ORDER BY score NULLS FIRST OFFSET %s ROWS FETCH FIRST %s ROWS WITH TIES"
    for params in ([0, 2], [2, 1], [1, 3]):
        lake, postgres = both.answers(sql, params)
        assert sorted(lake.rows) == sorted(postgres.rows)


def test_with_ties_needs_an_order(both):
    assert both.sqlstates("SELECT id FROM scores FETCH FIRST 2 ROWS WITH TIES") == ("42601", "42601")
