"""Intervals compared as PostgreSQL compares them, by their span with 30-day months and 24-hour days
(``interval '1 year' = interval '360 days'``, ``interval '1 day' = interval '24 hours'``; DataFusion
compared months, days and time one after another), in comparisons, BETWEEN and with differences of
timestamps. Compared with PostgreSQL 16."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE iv (id int PRIMARY KEY, at timestamp, t2 timestamp)",
    "INSERT INTO iv VALUES (1, '2024-01-01', '2024-01-02'), (2, '2024-01-02', '2024-01-01'),"
    " (3, '2024-01-03 01:00', '2024-01-01'), (4, '2024-02-01', '2024-01-01')",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT interval '1 year' > interval '360 days', interval '1 year' = interval '360 days',"
        " interval '1 day' = interval '24 hours', interval '1 mon' < interval '31 days', '2 days'::interval <> '48 hours'",
        "SELECT interval '1 day' BETWEEN interval '24 hours' AND interval '1 day', interval '-1 mon' < interval '-29 days'",
        "SELECT id FROM iv WHERE at - t2 >= interval '24 hours' ORDER BY id",
        "SELECT id FROM iv WHERE at - t2 BETWEEN '1 day' AND interval '1 mon' ORDER BY id",
        "SELECT id FROM iv WHERE age(at, t2) = interval '1 mon' ORDER BY id",
    ],
)
def test_intervals_compared_by_span(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)
