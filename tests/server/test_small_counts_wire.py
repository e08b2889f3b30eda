"""A count answered in Arrow compute (engine/small_counts.py) reads over the wire as PostgreSQL's:
an int8 column named ``count`` (or its alias), and an unknown column is 42703."""

from __future__ import annotations

import psycopg
import pytest


def test_count_over_the_wire_is_int8(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE seen (k text PRIMARY KEY, n int)")
        conn.execute("INSERT INTO seen VALUES ('a', 1), ('b', 5), ('c', NULL)")
        cursor = conn.execute("SELECT count(*), count(n) AS known FROM seen WHERE n > %s OR n IS NULL", [2])
        assert cursor.fetchall() == [(2, 1)]
        assert [(d.name, d.type_code) for d in cursor.description] == [("count", 20), ("known", 20)]
        with pytest.raises(psycopg.errors.UndefinedColumn):
            conn.execute("SELECT count(nope) FROM seen")
