"""quote_ident, quote_literal, quote_nullable, num_nulls and num_nonnulls as PostgreSQL 16 answers
them (they were 42883), compared over the wire: names, wire types, rows."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE words (id int PRIMARY KEY, w text, n int)",
    "INSERT INTO words VALUES (1, 'Mixed Case', 7), (2, NULL, NULL)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT quote_ident('ab'), quote_ident('A b'), quote_ident('select'), quote_ident('a\"b'), quote_ident('1a')",
        "SELECT quote_literal('it''s'), quote_literal(E'a\\\\b'), quote_literal(NULL), quote_literal(42)",
        "SELECT quote_nullable(NULL), quote_nullable('x'), quote_nullable(w) FROM words ORDER BY id",
        "SELECT id, quote_ident(w), quote_literal(w) FROM words ORDER BY id",
        "SELECT num_nulls(1, NULL, NULL), num_nonnulls(1, NULL, 2), num_nulls(NULL)",
        "SELECT id, num_nulls(w, n), num_nonnulls(w, n, id) FROM words ORDER BY id",
    ],
)
def test_functions_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
