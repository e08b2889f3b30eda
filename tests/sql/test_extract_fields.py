"""extract() and date_part() as PostgreSQL 16 answers them: extract is numeric (seconds with their
fraction, epoch to six places, milliseconds to three), date_part the same values as float8 (it
returned whole seconds); in select lists, GROUP BY and WHERE."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE events (id int PRIMARY KEY, at timestamp, seen timestamptz, day date)",
    "INSERT INTO events VALUES (1, '2020-01-02 03:04:05.25', '2020-01-02 03:04:05.5+00', '2020-01-02'),"
    " (2, '2021-12-31 23:59:59.999999', '2021-12-31 22:00:00+00', '2024-02-29'), (3, NULL, NULL, NULL)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, extract(second FROM at), extract(milliseconds FROM at), extract(microseconds FROM at)"
        " FROM events ORDER BY id",
        "SELECT id, extract(epoch FROM at), extract(epoch FROM seen), extract(minute FROM at), extract(hour FROM seen)"
        " FROM events ORDER BY id",
        "SELECT id, extract(year FROM day), extract(month FROM day), extract(dow FROM day), extract(doy FROM day),"
        " extract(quarter FROM day), extract(week FROM day), extract(isodow FROM day) FROM events ORDER BY id",
        "SELECT id, date_part('second', at), date_part('year', day), date_part('epoch', at) FROM events ORDER BY id",
        "SELECT extract(year FROM at) AS y, count(*) FROM events GROUP BY 1 ORDER BY 1",
        "SELECT id FROM events WHERE extract(second FROM at) > 5 ORDER BY id",
        "SELECT extract(epoch FROM interval '1 day 2 hours'), extract(second FROM time '00:00:01.5')",
        "SELECT id, extract(century FROM day), extract(millennium FROM at), extract(decade FROM day),"
        " date_part('century', at) FROM events ORDER BY id",
        "SELECT extract(century FROM date '2000-12-31'), extract(century FROM date '2001-01-01'),"
        " extract(millennium FROM date '2000-06-01'), extract(decade FROM date '1999-05-05')",
    ],
)
def test_extract_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
