"""GROUP BY a table's primary key makes its other columns selectable (issue 24), exactly as
PostgreSQL's functional dependency rule: only a PRIMARY KEY (not UNIQUE), grouped by every one of
its columns as plain references, and only for columns of that same table reference (alias or not);
anything else is still 42803 with PostgreSQL's message. Answers are compared with PostgreSQL 16's."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE t (id int PRIMARY KEY, n text, j jsonb, score float8)",
    """INSERT INTO t VALUES (1, 'one', '{"a": 1}', 0.5), (2, 'two', '[1]', 1.5), (3, 'one', NULL, NULL)""",
    "CREATE TABLE o (tid int, k int, qty int, PRIMARY KEY (tid, k))",
    "INSERT INTO o VALUES (1, 1, 5), (1, 2, 7), (2, 1, 1)",
    "CREATE TABLE w (id int UNIQUE, n text)",
    "INSERT INTO w VALUES (1, 'a')",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, n, count(*) FROM t GROUP BY id ORDER BY id",
        "SELECT t.*, count(*) FROM t GROUP BY t.id ORDER BY 1",
        "SELECT * FROM t GROUP BY id ORDER BY id",
        "SELECT x.id, x.n, x.j FROM t AS x GROUP BY x.id ORDER BY 1",
        "SELECT id, upper(n) AS u FROM t GROUP BY 1 ORDER BY n DESC, id",
        "SELECT id, n FROM t GROUP BY id HAVING n = 'one' ORDER BY id",
        "SELECT t.id, t.n, sum(o.qty) FROM t JOIN o ON o.tid = t.id GROUP BY t.id ORDER BY 1",
        "SELECT o.tid, o.k, o.qty, t.n FROM o JOIN t ON t.id = o.tid GROUP BY o.tid, o.k, t.id ORDER BY 1, 2",
        "SELECT a.id, a.n, b.n FROM t a JOIN t b ON b.id = a.id GROUP BY a.id, b.id ORDER BY 1",
        "SELECT id, n, score FROM t GROUP BY id, score ORDER BY id",
    ],
)
def test_grouped_key_makes_columns_selectable(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql, message",
    [
        (
            "SELECT id, n FROM w GROUP BY id",
            'column "w.n" must appear in the GROUP BY clause or be used in an aggregate function',
        ),
        (
            "SELECT tid, qty FROM o GROUP BY tid",
            'column "o.qty" must appear in the GROUP BY clause or be used in an aggregate function',
        ),
        (
            "SELECT a.id, b.n FROM t a JOIN t b ON b.id = a.id GROUP BY a.id",
            'column "b.n" must appear in the GROUP BY clause or be used in an aggregate function',
        ),
        (
            "SELECT id + 0, n FROM t GROUP BY id + 0",
            'column "t.n" must appear in the GROUP BY clause or be used in an aggregate function',
        ),
        (
            "SELECT id, n FROM t GROUP BY ROLLUP (id)",
            'column "t.n" must appear in the GROUP BY clause or be used in an aggregate function',
        ),
        (
            "SELECT n, count(*) FROM t GROUP BY score",
            'column "t.n" must appear in the GROUP BY clause or be used in an aggregate function',
        ),
    ],
)
def test_other_ungrouped_columns_are_refused_as_postgres(both, sql, message):
    import psycopg

    for conn in (both.lake, both.postgres):
        with pytest.raises(psycopg.Error) as refused:
            conn.execute(sql)
        assert (refused.value.sqlstate, refused.value.diag.message_primary) == ("42803", message)
