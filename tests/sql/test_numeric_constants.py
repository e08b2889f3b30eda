"""A constant cast to ``numeric`` without precision keeps its own digits, as in PostgreSQL:
``'1.50'::numeric`` is 1.50, ``7::numeric`` is 7, ``'1e3'::numeric`` is 1000, and a quotient of
such constants has PostgreSQL's digits (``10::numeric / 4`` is 2.5000000000000000). Compared with
PostgreSQL 16 over the wire, as text and as values (unconstrained numeric columns, which print
each value's scale, are tested with the column types)."""

from __future__ import annotations

import pytest

SETUP = ["CREATE TABLE prices (id int PRIMARY KEY, price numeric(10, 2))", "INSERT INTO prices VALUES (1, 2.50)"]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT (1.5)::numeric::text, 7::numeric::text, '3.14159'::numeric::text, CAST('0.001' AS decimal)::text",
        "SELECT 1.5::numeric, 7::numeric, '1e3'::numeric, ' 2.5 '::numeric, '1.50'::numeric",
        "SELECT (-2.50)::numeric::text, -2.50::numeric, '-0.00'::numeric::text, 0::numeric",
        "SELECT 7::numeric + 1.25, 2::numeric * 1.5, round(2.5::numeric), 123456789012345678901234567890::numeric",
        "SELECT price + 1::numeric, price * '2'::numeric FROM prices",
        "SELECT 10::numeric / 4, 100::numeric / 7::numeric, CAST(1 AS numeric) / 3, '2.5'::numeric / 2",
        "SELECT '1.55'::numeric(10, 1) / 3, '1.5'::numeric(10, 3) / 3, 5::numeric(4) / 3, 7 / 2",
    ],
)
def test_numeric_constants_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)
    assert [str(v) for row in lake.rows for v in row] == [str(v) for row in postgres.rows for v in row]


def test_text_that_is_no_number_is_22p02_as_postgres(both):
    assert both.sqlstates("SELECT 'abc'::numeric") == ("22P02", "22P02")
    assert both.sqlstates("SELECT 'abc'::numeric / 3") == ("22P02", "22P02")


def test_a_constant_too_wide_for_its_type_is_22003_when_divided_as_postgres(both):
    assert both.sqlstates("SELECT '123.4'::numeric(3, 1) / 2") == ("22003", "22003")
