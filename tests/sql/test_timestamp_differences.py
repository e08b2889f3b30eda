"""``timestamp - timestamp`` is an interval, ``date + interval`` a timestamp, ``date - date`` an
int4 count of days and ``now()`` a timestamptz, as in PostgreSQL 16.

The difference of two timestamps compares with interval constants by value (``now() - created_at
> interval '1 day'``, an agent forgetting old memories), prints as days and time, and scales; the
current time is zoned. Compared over the wire with PostgreSQL's answers: names, wire types, rows."""

from __future__ import annotations

import datetime as dt

import pytest

SETUP = [
    "CREATE TABLE memories (id int PRIMARY KEY, created timestamp, seen timestamptz)",
    "INSERT INTO memories VALUES (1, '2020-01-02 03:04:05', '2020-01-02 03:04:05+00'),"
    " (2, '2021-12-31 23:59:59', '2021-12-30 12:00:00+02'), (3, NULL, NULL)",
    "CREATE TABLE days (id int PRIMARY KEY, day date)",
    "INSERT INTO days VALUES (1, '2020-01-02'), (2, '2024-02-29'), (3, NULL)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, created - '2020-01-01'::timestamp, '2019-01-01'::timestamp - created FROM memories ORDER BY id",
        "SELECT id, created - created, seen - '2020-01-01 00:00:00+00'::timestamptz FROM memories ORDER BY id",
        "SELECT id FROM memories WHERE created - '2020-01-01'::timestamp > interval '2 days' ORDER BY id",
        "SELECT id, created - '2020-01-01'::timestamp < interval '1 day 4 hours' FROM memories ORDER BY id",
        "SELECT id, (created - '2020-01-01'::timestamp) * 2, (created - '2020-01-01'::timestamp) / 4 FROM memories ORDER BY id",
        "SELECT max(created) - min(created), max(seen) - min(seen) FROM memories",
        "SELECT '2020-01-02 10:00'::timestamptz - '2020-01-01 09:00'::timestamptz, '2020-01-01'::timestamp - '2020-01-03 01:00'::timestamp",
        "SELECT id FROM memories WHERE now() - created > interval '365 days' ORDER BY id",
        "SELECT id, day - '2020-01-01'::date, date '2024-03-01' - day, day - 1 FROM days ORDER BY id",
    ],
)
def test_differences_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def test_now_is_zoned_as_postgres(both):
    lake, postgres = both.answers("SELECT now(), current_timestamp, localtimestamp")
    assert lake.type_oids == postgres.type_oids == [1184, 1184, 1114]
    zoned, also_zoned, plain = lake.rows[0]
    assert zoned.tzinfo is not None and also_zoned.tzinfo is not None and plain.tzinfo is None
    assert abs(zoned - postgres.rows[0][0]) < dt.timedelta(minutes=5)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, day + interval '1 hour', day - interval '1 day', interval '2 days' + day FROM days ORDER BY id",
        "SELECT id, day + 1, day - 1, day - day FROM days ORDER BY id",
        "SELECT '2020-01-31'::date + interval '1 month', current_date + interval '1 hour' > now() - interval '1 day'",
    ],
)
def test_dates_shifted_by_intervals_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)
    assert lake.type_oids[:3] == postgres.type_oids[:3]
