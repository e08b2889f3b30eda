"""A date, time or timestamp column compared with a quoted constant reads the constant as its own
type, as PostgreSQL does: no seconds, a date with a time for a date column, ``Jan 3 2024``,
``9:00``, on either side of ``=``, ``<>``, ``<`` and kin, ``BETWEEN`` and ``IN`` (DataFusion's parser
failed on these with 22P02); text no such value is 22007. Compared with PostgreSQL 16."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE moments (id int PRIMARY KEY, at timestamp, tz timestamptz, d date, t time)",
    "INSERT INTO moments VALUES (1, '2024-01-02 12:00', '2024-01-02 12:00+02', '2024-01-02', '12:30'),"
    " (2, '2024-01-03 00:00:01', '2024-01-03 00:00:01+00', '2024-01-03', '08:00')",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id FROM moments WHERE at >= '2024-01-02 12:00' ORDER BY id",
        "SELECT id FROM moments WHERE at BETWEEN '2024-01-01' AND '2024-01-02 12:00' ORDER BY id",
        "SELECT id FROM moments WHERE '2024-01-02 23:00' < at AND at <> '2024-01-02 12:00' ORDER BY id",
        "SELECT id FROM moments WHERE tz < '2024-01-02 11:00' OR tz = '2024-01-03 02:00:01+02' ORDER BY id",
        "SELECT id FROM moments WHERE d = '2024-01-02 12:00' OR d IN ('Jan 3 2024', '2020-01-01') ORDER BY id",
        "SELECT id FROM moments WHERE t > '9:00' AND t < '1:00 PM' ORDER BY id",
        "SELECT id, at > '2024-01-02T12:00', d <= 'January 2, 2024' FROM moments ORDER BY id",
        "SELECT id FROM moments WHERE at >= E'2024-01-02 12:00' ORDER BY id",  # an escape string is text too
    ],
)
def test_constants_read_as_the_column_type_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql", ["SELECT id FROM moments WHERE at > 'soon'", "SELECT id FROM moments WHERE d IN ('2024-01-02', 'x')"]
)
def test_text_that_is_no_such_value_is_22007_as_postgres(both, sql):
    assert both.sqlstates(sql) == ("22007", "22007")
