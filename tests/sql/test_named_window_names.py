"""A window function over a named window (``OVER w`` with ``WINDOW w AS (...)``) is named after
the function, as PostgreSQL 16 names it (the window's name made it look aliased, and DataFusion's
plan text named it)."""

from __future__ import annotations

SETUP = [
    "CREATE TABLE sales (region text, month int, amount numeric(10,2))",
    "INSERT INTO sales VALUES ('n', 1, 10), ('n', 2, 20), ('s', 1, 5), ('s', 2, NULL)",
]


def test_named_window_columns_as_postgres(both):
    lake, postgres = both.answers(
        "SELECT region, month, lag(amount) OVER w, lead(amount) OVER w AS next, rank() OVER w FROM sales"
        " WINDOW w AS (PARTITION BY region ORDER BY month) ORDER BY 1, 2"
    )
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
