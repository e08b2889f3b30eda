"""A cast is named after what it casts, also where the engine rewrote that (to_json of a jsonb
column, a checked function), as PostgreSQL's FigureColname names it."""

from __future__ import annotations

SETUP = [
    "CREATE TABLE docs (id int PRIMARY KEY, meta jsonb, t text, x float8)",
    """INSERT INTO docs VALUES (1, '{"a": 1}', 'x', 2.5)""",
]


def test_names_of_casts_as_postgres(both):
    sql = "SELECT to_json(meta)::text, to_jsonb(meta)::text, to_json(t)::text, ln(x)::text, chr(65)::varchar FROM docs"
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)
