"""Errors PostgreSQL 16 reports with their own SQLSTATE: an operator with no overload for its operand
types (``now() + 1``, ``date * 2``) is 42883 "operator does not exist" (it was 42804 and XX000), an
IN subquery of two columns is 42601 (it was XX000), and a column qualified by a name the query's
FROM does not give (``x.id``; ``items.id`` where items is aliased) is 42P01 (it was 42703)."""

from __future__ import annotations

import pytest

SETUP = ["CREATE TABLE items (id int PRIMARY KEY, v text)"]


@pytest.mark.parametrize(
    "sql, sqlstate",
    [
        ("SELECT now() + 1", "42883"),
        ("SELECT date '2024-01-01' * 2", "42883"),
        ("SELECT id FROM items WHERE id IN (SELECT id, v FROM items)", "42601"),
        ("SELECT items.id FROM items i", "42P01"),
        ("SELECT x.id FROM items", "42P01"),
        ("SELECT i.id FROM items i WHERE x.v = 'a'", "42P01"),
        ("SELECT i.nope FROM items i", "42703"),
        ("SELECT nope FROM items", "42703"),
    ],
)
def test_sqlstate_as_postgres(both, sql, sqlstate):
    assert both.sqlstates(sql) == (sqlstate, sqlstate)
