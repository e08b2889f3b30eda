"""concat and concat_ws write a boolean as its output function does (t, f), while a cast to text and
|| write true and false, as PostgreSQL 16 answers them."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE flags (id int PRIMARY KEY, ok boolean)",
    "INSERT INTO flags VALUES (1, true), (2, false), (3, NULL)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, concat('x', ok), concat_ws('-', ok, ok), ok::text, 'a' || ok FROM flags ORDER BY id",
        "SELECT concat('x', true), concat_ws(',', true, false), concat(1 > 0, 'z'), concat('n', 2 IS NULL)",
    ],
)
def test_booleans_made_text_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
