"""Queries over an agent's event log as PostgreSQL 16 answers them, where agentlake differed:
AT TIME ZONE (a timestamptz became the same instant again, not the zone's wall-clock time), the
array overlap ``&&`` (refused), jsonb_path_query_first, regexp_split_to_array/_table,
regexp_matches and string_to_table (42883), a multi-row VALUES mixing ARRAY[...] with quoted arrays (XX000), and
to_timestamp(text, template) (its template was not translated: 22P02)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE ev (id int PRIMARY KEY, agent text, at timestamptz, local timestamp, day date,"
    " payload jsonb, tags text[], ids int[], line text)",
    "INSERT INTO ev VALUES (1, 'a', '2026-01-01 10:00:00+00', '2026-07-01 10:00:00', '2026-01-05',"
    """ '{"tool": "search", "hits": [3, 9, 4]}', ARRAY['x','y'], ARRAY[1,2], 'plan: fetch, rank,  answer'),"""
    " (2, 'b', '2026-03-29 01:30:00+00', '2026-03-29 02:30:00', '2026-03-29', '{\"tool\": null}', '{}', '{7}', ''),"
    " (3, 'c', NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, at AT TIME ZONE 'UTC', at AT TIME ZONE 'America/New_York', at AT TIME ZONE 'Europe/Paris'"
        " FROM ev ORDER BY id",
        "SELECT id, local AT TIME ZONE 'UTC', local AT TIME ZONE 'Europe/Paris', day AT TIME ZONE 'Asia/Tokyo'"
        " FROM ev ORDER BY id",
        "SELECT id, (at AT TIME ZONE 'Asia/Tokyo')::text, (at AT TIME ZONE 'UTC')::date FROM ev ORDER BY id",
        "SELECT date_trunc('day', at AT TIME ZONE 'America/Los_Angeles') AS d, count(*) FROM ev GROUP BY d ORDER BY d",
        "SELECT id, tags && ARRAY['x'], tags && '{y,z}', ids && '{2,5}', ids && ARRAY[7] FROM ev ORDER BY id",
        "SELECT id FROM ev WHERE tags && ARRAY['q', 'y'] ORDER BY id",
        "SELECT id, jsonb_path_query_first(payload, '$.hits[1]'), jsonb_path_query_first(payload, '$.nothing'),"
        " jsonb_path_query_first(payload, '$.hits[*] ? (@ > $min)', '{\"min\": 3}') FROM ev ORDER BY id",
        "SELECT id, regexp_split_to_array(line, ',\\s*'), regexp_split_to_array(line, '\\s*'),"
        " regexp_split_to_array(line, 'PLAN', 'i') FROM ev ORDER BY id",
        "SELECT id, regexp_split_to_table(line, '[:,] *') AS part FROM ev WHERE id = 1",
        "SELECT id, regexp_matches(line, '([a-z]+),', 'g') FROM ev ORDER BY id",
        "SELECT regexp_matches('a1b2', '[0-9]', 'g'), 'x' AS tag",
        "SELECT regexp_matches('A1b2', '([a-z])([0-9])', 'i'), regexp_matches('ab', '(a)(x)?')",
        "SELECT string_to_table('a,b,,c', ',') AS part",
    ],
)
def test_log_queries_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def test_values_mixing_array_constructors_and_quoted_arrays(both):
    sql = "INSERT INTO ev (id, tags, ids) VALUES (10, ARRAY['p'], '{1}'), (11, '{q,r}', ARRAY[2, 3]), (12, '{}', NULL)"
    both.execute(sql)
    lake, postgres = both.answers("SELECT id, tags, ids FROM ev WHERE id >= 10 ORDER BY id")
    assert lake.rows == postgres.rows


def test_global_flag_of_a_split_is_refused(both):
    assert both.sqlstates("SELECT regexp_split_to_array('a', 'x', 'g')") == ("22023", "22023")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT to_timestamp('2026-01-01 10:00', 'YYYY-MM-DD HH24:MI'), to_timestamp('05/01/2026 23:59:58', 'DD/MM/YYYY HH24:MI:SS')",
        "SELECT to_timestamp('2026-12-07 10:11:12.345', 'YYYY-MM-DD HH24:MI:SS.MS'), to_timestamp('2026-01-01', 'YYYY-MM-DD')",
        "SELECT to_timestamp(1767261600), to_timestamp(1767261600.5), to_date('20260105', 'YYYYMMDD')",
        "SELECT id, to_char(at, 'YYYY-MM-DD\"T\"HH24:MI') FROM ev WHERE at >= to_timestamp('2026-01-01', 'YYYY-MM-DD') ORDER BY id",
    ],
)
def test_parsing_times_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
