"""``UPDATE ... SET (a, b) = (SELECT x, y ...)`` and ``= ROW(x, y)`` assign each column its item, as in
PostgreSQL 16 (both were refused); a sub-SELECT with no row sets NULLs, one with more rows is 21000,
a count that does not match is 42601, and a parenthesized value that is neither is 0A000 as there."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance numeric(10,2))",
    "INSERT INTO accounts VALUES (1, 'ann', 100), (2, 'bob', 50), (3, 'cy', 0)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE accounts SET (owner, balance) = (SELECT 'zed', 2) WHERE id = 3 RETURNING owner, balance",
        "UPDATE accounts SET (owner, balance) = ROW('ray', 3) WHERE id = 2 RETURNING owner, balance",
        "UPDATE accounts SET (owner) = ROW('ann') WHERE id = 1 RETURNING owner",
        "UPDATE accounts SET (owner, balance) = (SELECT o.owner || '!', o.balance * 2 FROM accounts o"
        " WHERE o.id = accounts.id) WHERE id = 1 RETURNING id, owner, balance",
        "UPDATE accounts SET (owner, balance) = (SELECT owner, balance FROM accounts o WHERE o.id > 5)"
        " WHERE id = 3 RETURNING id, owner, balance",
    ],
)
def test_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql, sqlstate",
    [
        ("UPDATE accounts SET (owner, balance) = (SELECT owner, balance FROM accounts) WHERE id = 1", "21000"),
        ("UPDATE accounts SET (owner) = (SELECT 'x', 1) WHERE id = 1", "42601"),
        ("UPDATE accounts SET (owner) = ('x') WHERE id = 1", "0A000"),
    ],
)
def test_errors_as_postgres(both, sql, sqlstate):
    assert both.sqlstates(sql) == (sqlstate, sqlstate)
