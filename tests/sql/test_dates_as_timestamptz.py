"""``date_trunc`` of a date and ``generate_series`` of dates stepped by an interval answer
timestamptz, the overloads PostgreSQL 16 resolves them to (they answered a timestamp, and dates),
in a select list and in FROM (where a series of timestamptz constants was refused, XX000);
and a typed constant (``interval '90 minutes'``, ``(date '...')::timestamp``) is named by its
outermost type, as PostgreSQL names it."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE days (d date, ts timestamp, tz timestamptz)",
    "INSERT INTO days VALUES ('2024-03-15', '2024-03-15 10:30', '2024-03-15 10:30+00')",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT date_trunc('week', d), date_trunc('month', ts), date_trunc('day', tz) FROM days",
        "SELECT date_trunc('year', date '2024-03-15'), date_trunc('month', '2024-03-15'::date)",
        "SELECT generate_series(d, d + 2, interval '1 day') FROM days",
        "SELECT generate_series(d, d + 1, '12 hours') AS at FROM days",
        "SELECT (date '2024-03-15')::timestamp, interval '90 minutes', interval '1 day'::text, (interval '1 day')",
        "SELECT '1 day'::interval, ('1 day'::interval)::text, (timestamp '2024-01-01')::date",
        "SELECT * FROM generate_series('2024-01-01'::date, '2024-01-02'::date, '12 hours'::interval) AS g(x)",
        "SELECT x::date FROM generate_series('2024-01-01'::date, '2024-01-03', '1 day') x",
        "SELECT * FROM generate_series(timestamptz '2024-01-01', timestamptz '2024-01-02', '12 hours')",
        "SELECT * FROM generate_series(timestamp '2024-01-01', timestamp '2024-01-02', '12 hours')",
        "SELECT count(*) FROM generate_series('2024-01-01'::date, '2024-12-31'::date, '1 day')",
    ],
)
def test_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
