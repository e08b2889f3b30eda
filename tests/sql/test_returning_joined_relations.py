"""RETURNING of ``UPDATE ... FROM`` and ``DELETE ... USING`` reads the joined relations' columns, as
in PostgreSQL 16 (it was 42P01, "missing FROM-clause entry"): the updated row's new values beside
the values of the row it was joined with, named as PostgreSQL names them."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance numeric(10,2))",
    "CREATE TABLE moves (id int PRIMARY KEY, account int, amount numeric(10,2))",
    "INSERT INTO accounts VALUES (1, 'ann', 100), (2, 'bob', 50), (3, 'cy', 0)",
    "INSERT INTO moves VALUES (1, 1, 10), (2, 1, 5), (3, 2, -20), (4, 3, 1)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE accounts SET balance = accounts.balance + t.total"
        " FROM (SELECT account, sum(amount) AS total FROM moves GROUP BY account) t"
        " WHERE t.account = accounts.id AND t.total > 0 RETURNING accounts.id, accounts.balance, t.total, t.total * 2 AS twice",
        "UPDATE accounts a SET balance = a.balance - 1 FROM moves m"
        " WHERE m.account = a.id AND m.amount < 0 RETURNING a.*, m.amount, upper(a.owner) || m.id",
        "DELETE FROM moves USING accounts a WHERE moves.account = a.id AND a.owner = 'ann'"
        " RETURNING moves.id, moves.amount, a.owner",
        "UPDATE accounts SET balance = 0 FROM moves WHERE false RETURNING moves.id",
    ],
)
def test_returning_joined_columns_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, sorted(lake.rows)) == (
        postgres.names,
        postgres.type_oids,
        sorted(postgres.rows),
    )


def test_the_written_rows_are_the_same(both):
    lake, postgres = both.answers("SELECT * FROM accounts ORDER BY id")
    assert lake.rows == postgres.rows
    lake, postgres = both.answers("SELECT * FROM moves ORDER BY id")
    assert lake.rows == postgres.rows
