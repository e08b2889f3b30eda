"""ALTER ... OWNER TO on agentlake and PostgreSQL 16: to the session's own user (the owner the
catalogs already show) it is accepted for tables, views, sequences and types; a role that does not
exist is 42704, a missing object 42P01 (42704 for a type), IF EXISTS a notice."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TYPE mood AS ENUM ('ok', 'sad')",
    "CREATE TABLE t (id serial PRIMARY KEY, m mood)",
    "CREATE VIEW v AS SELECT id FROM t",
    "CREATE SEQUENCE s",
]


@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TYPE public.mood OWNER TO CURRENT_USER",
        "ALTER TYPE nosuch OWNER TO CURRENT_USER",
        "ALTER TABLE t OWNER TO CURRENT_USER",
        "ALTER TABLE ONLY public.t OWNER TO current_role",
        "ALTER VIEW v OWNER TO SESSION_USER",
        "ALTER SEQUENCE s OWNER TO CURRENT_USER",
        "ALTER SEQUENCE public.t_id_seq OWNER TO CURRENT_USER",
        "ALTER TABLE nosuch OWNER TO CURRENT_USER",
        "ALTER TABLE IF EXISTS nosuch OWNER TO CURRENT_USER",
        "ALTER TABLE t OWNER TO nobody_at_all",
    ],
)
def test_owner_to_as_postgresql(both, sql):
    lake, postgres = both.errors(sql)
    assert lake == postgres
