"""Scalar subqueries correlated by inequalities (a count of those earning more, a running total, the
next one up) answered as PostgreSQL 16 answers them, where DataFusion alone refused them (0A000):
in the select list, in WHERE and HAVING, over joins, derived tables and CTEs, with NULL outer
values; and a condition a NULL could make true (COALESCE) still refused rather than answered wrongly."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE emp (id int PRIMARY KEY, name text, dept text, salary int)",
    "CREATE TABLE dept (code text PRIMARY KEY, floor int)",
    "INSERT INTO emp VALUES (1, 'a', 'x', 100), (2, 'b', 'x', 200), (3, 'c', 'y', 150), (4, 'd', 'y', 150),"
    " (5, 'e', 'z', NULL)",
    "INSERT INTO dept VALUES ('x', 1), ('y', 2), ('z', 3)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT name, (SELECT count(*) FROM emp x WHERE x.salary > e.salary) AS above FROM emp e ORDER BY id",
        "SELECT name, (SELECT sum(salary) FROM emp x WHERE x.id <= e.id) AS running FROM emp e ORDER BY id",
        "SELECT name, (SELECT max(salary) FROM emp x WHERE x.dept = e.dept AND x.id <> e.id) FROM emp e ORDER BY id",
        "SELECT name, (SELECT x.name FROM emp x WHERE x.salary < e.salary ORDER BY x.salary DESC, x.id LIMIT 1)"
        " FROM emp e ORDER BY id",
        "SELECT name, EXISTS (SELECT 1 FROM emp x WHERE x.salary > e.salary) FROM emp e ORDER BY id",
        "SELECT name FROM emp e WHERE (SELECT count(*) FROM emp x WHERE x.salary > e.salary) < 2 ORDER BY id",
        "SELECT name, (SELECT max(x.salary - e.salary) FROM emp x WHERE x.salary > e.salary) FROM emp e ORDER BY id",
        "SELECT name, (SELECT count(*) FROM emp x WHERE x.salary BETWEEN e.salary - 50 AND e.salary + 50)"
        " FROM emp e ORDER BY id",
        "SELECT e.name, (SELECT count(*) FROM dept z WHERE z.floor < d.floor) FROM emp e JOIN dept d ON d.code = e.dept"
        " ORDER BY e.id",
        "SELECT s.name, (SELECT count(*) FROM emp x WHERE x.salary > s.salary) FROM (SELECT * FROM emp WHERE id < 4) s"
        " ORDER BY s.id",
        "WITH c AS (SELECT * FROM emp WHERE salary IS NOT NULL)"
        " SELECT name, (SELECT count(*) FROM c x WHERE x.salary >= c.salary) FROM c ORDER BY id",
        "SELECT e.name, t.total FROM emp e, LATERAL (SELECT sum(salary) AS total FROM emp x WHERE x.id <= e.id) t"
        " ORDER BY e.id",
        "SELECT dept, count(*) FROM emp e GROUP BY dept"
        " HAVING count(*) > (SELECT count(*) FROM dept d WHERE d.floor > 2) ORDER BY dept",
    ],
)
def test_inequality_correlated_subqueries_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)


def test_a_condition_a_null_outer_value_could_satisfy_is_refused(both):
    sql = "SELECT name, (SELECT count(*) FROM emp x WHERE x.salary > coalesce(e.salary, 0)) FROM emp e"
    assert both.sqlstates(sql) == ("0A000", None)
