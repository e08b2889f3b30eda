"""RETURNING of INSERT ... ON CONFLICT lists the rows in the order they came, and reads the system
column xmax as PostgreSQL 16 does for the common idiom ``RETURNING (xmax = 0) AS inserted``: 0 for a
row the statement inserted, the transaction's id for one it updated (xmax was 42703, and the
updated rows came after the inserted ones)."""

from __future__ import annotations

import pytest

SETUP = ["CREATE TABLE facts (k text PRIMARY KEY, v int)", "INSERT INTO facts VALUES ('a', 1), ('c', 3)"]


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO facts VALUES ('a', 10), ('b', 20), ('c', 30), ('d', 40)"
        " ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v RETURNING k, v, (xmax = 0) AS inserted",
        "INSERT INTO facts VALUES ('e', 5), ('a', 11) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v"
        " WHERE facts.v < 0 RETURNING k, xmax = 0 AS inserted, xmax <> 0 AS updated",
        "INSERT INTO facts VALUES ('f', 6) RETURNING facts.k, (xmax = 0) AS inserted",
        "INSERT INTO facts VALUES ('f', 7), ('g', 8) ON CONFLICT DO NOTHING RETURNING k, (xmax = 0)",
    ],
)
def test_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
