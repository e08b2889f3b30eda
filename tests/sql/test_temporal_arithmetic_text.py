"""Date/time arithmetic as PostgreSQL 16 types it: a sum or difference made text prints as its
type's output function does (``(at + interval '1 hour')::text`` is ``2024-01-02 04:04:05+00``,
not DataFusion's ISO form), and a quoted constant beside a date or time takes the type operator
resolution gives it (``at + '1 day'`` adds an interval, ``ts - '2024-01-01'`` subtracts a
timestamp, ``date + '...'`` is ambiguous: 42725)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE events (id int PRIMARY KEY, at timestamptz, d date, ts timestamp, t time)",
    "INSERT INTO events VALUES (1, '2024-01-02 03:04:05+00', '2024-01-02', '2024-01-02 03:04:05.5', '10:11:12')",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT (at + interval '1 hour')::text, (ts - interval '1 day')::text, (d + interval '1 day')::text FROM events",
        "SELECT (d + 1)::text, (1 + d)::text, (d - 1)::text, (d - '2024-01-01'::date)::text FROM events",
        "SELECT (ts - '2024-01-01'::timestamp)::text, (at - at)::text, (interval '1 day 02:00' * 2)::text,"
        " (interval '1 day 02:00' / 2)::text, (2 * interval '1 day 02:00')::text FROM events",
        "SELECT (interval '1 day 02:00' + at)::text, (interval '1 day' + interval '2 hours')::text,"
        " (t + interval '1 hour')::text, (d + t)::text FROM events",
        "SELECT max(at)::text, min(d)::text, coalesce(max(ts), max(ts))::text FROM events GROUP BY id",
        "SELECT 'at ' || (at + interval '1 hour'), concat(ts - interval '1 hour', '|') FROM events",
        "SELECT at + '1 day', ts + '1 hour', t + '01:00' FROM events",
        "SELECT ts - '2024-01-01 00:00', at - '2024-01-01 00:00+00', d - '2024-01-01' FROM events",
        "SELECT ((at + '1 hour') + '1 day')::text FROM events",
        "SELECT count(*) FROM events WHERE at > '2024-01-03'::timestamptz + '-2 days'",
    ],
)
def test_temporal_arithmetic_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql",
    ["SELECT d + '1 day' FROM events", "SELECT at - '1 day' FROM events"],
)
def test_constants_postgres_refuses(both, sql):
    lake, postgres = both.errors(sql)
    assert lake == postgres and postgres is not None
