"""UPDATE ... SET column = DEFAULT stores what PostgreSQL 16 stores: the column's default, the next
value of its serial or identity sequence (allowed for GENERATED ALWAYS too), NULL without a
default, and for a generated column its value computed again; also in SET (a, b) = (DEFAULT, ...)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE ud (id serial PRIMARY KEY, bal int NOT NULL DEFAULT 7, note text DEFAULT 'x', plain int,"
    " g int GENERATED ALWAYS AS (bal * 2) STORED, ia int GENERATED ALWAYS AS IDENTITY)",
    "INSERT INTO ud (bal, note, plain) VALUES (1, 'a', 5), (2, 'b', 6)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ud SET bal = DEFAULT WHERE id = 1 RETURNING *",
        "UPDATE ud SET (note, plain) = (DEFAULT, DEFAULT) WHERE id = 2 RETURNING *",
        "UPDATE ud SET g = DEFAULT, ia = DEFAULT RETURNING id, g, ia",
        "UPDATE ud SET id = DEFAULT WHERE id = 2 RETURNING id",
        "SELECT * FROM ud ORDER BY id",
    ],
)
def test_set_default_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, sorted(lake.rows)) == (postgres.names, sorted(postgres.rows))
