"""Values PostgreSQL 16 computes or prints otherwise than DataFusion did: numeric constants divided
(``1.0/3`` kept four digits), floats made text (``1e+15``, ``Infinity``; ``1e15::float8`` was
999999999999999.9), intervals made text (``1 year 2 mons 04:05:06``), and the array functions
array_remove (removed only the first match), array_length, array_upper and array_lower (0 and
bigint for an empty array; array_upper and array_lower were 42883) and array_dims (a list of
lengths); and width_bucket (42883); ``ARRAY[1, 2]`` is an integer[] (it was bigint[])."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE readings (id int PRIMARY KEY, x float8, r real, tags text[], ids int[])",
    "INSERT INTO readings VALUES (1, 1e15, 0.1, ARRAY['a','b','a'], ARRAY[1,2,1]), (2, 'NaN', 1e6, '{}', '{}'),"
    " (3, 1e-7, '-Infinity', NULL, NULL), (4, 123456789.123, 0.33333334, ARRAY['b'], ARRAY[7])",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1.0/3, 10/3.0, 7.0/2, 2.50/3, 100000/3.0, 1/0.0001, -1.0/3, 1e3/7, (1.0/3)*3",
        "SELECT 1e15::float8, 1.5e3::float8, -2e-3::float8, 1e15::float8::text, 1e20::float8::text",
        "SELECT id, x::text, r::text, 'x=' || x, concat(r, '|') FROM readings ORDER BY id",
        "SELECT 1e-7::float8::text, 'NaN'::float8::text, '-Infinity'::float8::text, 1e6::real::text",
        "SELECT interval '0'::text, interval '90 minutes'::text, interval '1 year 2 months 3 days 04:05:06.789'::text,"
        " interval '-1 day'::text, 'after ' || interval '2 hours'",
        "SELECT id, array_remove(tags, 'a'), array_length(tags, 1), array_upper(ids, 1),"
        " array_lower(ids, 1) FROM readings ORDER BY id",
        "SELECT array_length(ARRAY[1,2], 2), array_upper('{}'::int[], 1), array_lower(NULL::int[], 1)",
        "SELECT id, array_dims(ids), array_dims(tags), array_dims(ARRAY[[1,2],[3,4]]) FROM readings ORDER BY id",
        "SELECT E'{1,2}'::int[], E'2024-01-02 12:00'::timestamp, E'a\\tb', E'it''s'",
        "SELECT ARRAY[1,2,3], ARRAY[1,NULL] AS a, ARRAY[3000000000, 1], ARRAY[1.5, 2]",
        "SELECT unnest(ARRAY[1,2]) AS x, unnest(ARRAY['a','b','c']) AS y",
        "SELECT unnest(ARRAY[1,2])",
    ],
)
def test_values_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def test_a_zero_divisor_still_fails(both):
    assert both.sqlstates("SELECT 1.5 / 0") == ("22012", "22012")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT width_bucket(5.35, 0.024, 10.06, 5), width_bucket(7, 0, 10, 5), width_bucket(-1, 0, 10, 5),"
        " width_bucket(10, 0, 10, 5), width_bucket(3, 10, 0, 5), width_bucket(NULL, 0, 1, 2), width_bucket(0.29, 0, 1, 100)",
        "SELECT id, width_bucket(x, 0, 1e16, 4) FROM readings WHERE x < 1e16 ORDER BY id",
    ],
)
def test_width_bucket_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize("sql", ["SELECT width_bucket(1, 0, 10, 0)", "SELECT width_bucket(1, 5, 5, 2)"])
def test_width_bucket_refusals_as_postgres(both, sql):
    assert both.sqlstates(sql) == ("2201G", "2201G")
