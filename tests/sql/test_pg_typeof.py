"""``pg_typeof(x)`` names the type PostgreSQL 16 gives ``x``: columns by the catalog (jsonb and uuid
too), casts by their type, constants by how they are written, other expressions by their planned
type. The column is a regtype, as PostgreSQL sends it (clients read its text; in binary, its oid)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE things (id int PRIMARY KEY, name text, price numeric(10, 2), amount numeric, big bigint,"
    " small smallint, ratio double precision, r real, born date, at timestamp, seen timestamptz, tags text[],"
    " doc jsonb, u uuid, flag boolean, raw bytea)",
    "INSERT INTO things (id, name) VALUES (1, 'a')",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT pg_typeof(id), pg_typeof(name), pg_typeof(price), pg_typeof(amount), pg_typeof(big), pg_typeof(small),"
        " pg_typeof(ratio), pg_typeof(r), pg_typeof(born), pg_typeof(at), pg_typeof(seen), pg_typeof(tags),"
        " pg_typeof(doc), pg_typeof(u), pg_typeof(flag), pg_typeof(raw) FROM things",
        "SELECT pg_typeof(1), pg_typeof(3000000000), pg_typeof(1.5), pg_typeof(1e3), pg_typeof('x'), pg_typeof(NULL),"
        " pg_typeof(true)",
        "SELECT pg_typeof('a'::text), pg_typeof(1::numeric(5, 2)), pg_typeof('a'::varchar), pg_typeof(1::real),"
        " pg_typeof(1::smallint), pg_typeof(interval '1 day'), pg_typeof(now()::date)",
        "SELECT pg_typeof(now()), pg_typeof(current_timestamp), pg_typeof(localtimestamp), pg_typeof(current_date)",
        "SELECT pg_typeof(id + 1), pg_typeof(price * 2), pg_typeof(name || 'x'), pg_typeof(upper(name)),"
        " pg_typeof(ratio / 2), pg_typeof(doc ->> 'k'), pg_typeof(at - at) FROM things",
        "SELECT pg_typeof(count(*)), pg_typeof(sum(ratio)), pg_typeof(max(name)) FROM things",
    ],
)
def test_type_names_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
