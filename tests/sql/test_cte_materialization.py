"""``WITH t AS [NOT] MATERIALIZED (...)`` (DataFusion's parser refused the words, 42601): the CTE's
rows as PostgreSQL 16 answers them; over a volatile function, whose value a materialized CTE
shares between its readers, MATERIALIZED is refused (0A000) rather than answered otherwise."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE steps (id int PRIMARY KEY, agent text, cost int)",
    "INSERT INTO steps VALUES (1, 'a', 3), (2, 'a', 5), (3, 'b', 7)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "WITH totals AS MATERIALIZED (SELECT agent, sum(cost) AS s FROM steps GROUP BY agent)"
        " SELECT x.agent, x.s, y.s FROM totals x JOIN totals y ON x.agent = y.agent ORDER BY 1",
        "WITH cheap AS NOT MATERIALIZED (SELECT * FROM steps WHERE cost < 6) SELECT count(*) FROM cheap",
        "WITH r AS NOT MATERIALIZED (SELECT random() < 2 AS sure) SELECT sure FROM r",
    ],
)
def test_answers_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def test_materialized_over_a_volatile_function_is_refused(both):
    sql = "WITH r AS MATERIALIZED (SELECT random() AS v) SELECT a.v = b.v FROM r a, r b"
    assert both.sqlstates(sql) == ("0A000", None)
