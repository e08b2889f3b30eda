"""``timezone(zone, ts)`` (the function spelling of AT TIME ZONE, was 42883), ``date_bin`` with a
quoted stride and origin (sqlglot read the origin as a date part, 42883), and ``to_timestamp``'s
value made text (DataFusion's ``2023-11-14T22:13:20.500Z``), as PostgreSQL 16 answers them."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE visits (id int PRIMARY KEY, at timestamptz, ts timestamp)",
    "INSERT INTO visits VALUES (1, '2024-03-10 06:30:00+00', '2024-03-10 06:37:00'),"
    " (2, '2024-11-03 05:30:00+00', '2024-11-03 05:52:10')",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, timezone('Europe/Paris', at), timezone('UTC', ts), at AT TIME ZONE 'America/New_York'"
        " FROM visits ORDER BY id",
        "SELECT id, date_bin('15 minutes', ts, '2024-01-01'), date_bin('1 hour', ts, '2024-01-01 00:07')"
        " FROM visits ORDER BY id",
        "SELECT id, date_bin(interval '1 day', at, timestamptz '2024-01-01'), date_bin('2 hours', at, '2024-01-01')"
        " FROM visits ORDER BY id",
        "SELECT to_timestamp(1700000000), to_timestamp(1700000000.5)::text, 'at ' || to_timestamp(0)",
    ],
)
def test_answers_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
