"""Interval literals read as PostgreSQL reads them (its default interval style): time fields,
fractions, per-field signs, ``ago``, ``@``, SQL-standard and ISO 8601 forms. The intervals travel
as text and are compared with PostgreSQL 16's exact output."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.types.string import TextLoader

SETUP: list[str] = []

LITERALS = [
    "29 days 23:59:59.999999",
    "23:59:59",
    "-1 day +1 hour",
    "1 day 02:03",
    "1 year 2 mons",
    "P1Y2M3DT4H5M6S",
    "P2W",
    "PT1.5S",
    "1-2",
    "@ 1 hour ago",
    "1 day 2 hours ago",
    "1.5 hours",
    "1.5 months",
    "1.7 years",
    "2.25 days",
    "2 weeks",
    "100 milliseconds",
    "-01:30:00",
    "1 day -02:00:00",
    "5",
    "1 2:03:04",
    "3 decades 1 century",
    "1 day 2",
]


def _as_text(conn: psycopg.Connection) -> None:
    conn.adapters.register_loader("interval", TextLoader)


@pytest.mark.parametrize("literal", LITERALS)
def test_interval_literal_as_postgres(both, literal):
    for conn in (both.lake, both.postgres):
        _as_text(conn)
    sql = f"SELECT interval '{literal}' AS i, '{literal}'::interval AS c"
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)


@pytest.mark.parametrize("literal", ["nonsense", "1 fortnight", "P", "1:2:3:4"])
def test_invalid_interval_is_22007(both, literal):
    assert both.sqlstates(f"SELECT interval '{literal}'") == ("22007", "22007")
