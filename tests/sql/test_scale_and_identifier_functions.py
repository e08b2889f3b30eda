"""PostgreSQL 16's scale, min_scale and trim_scale of numerics, trim_array, parse_ident (with its
22023 for text that is no qualified name), erf and erfc, and bit_count of a bytea, answered as
PostgreSQL answers them."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE amounts (id int PRIMARY KEY, price numeric(10,3), steps int[])",
    "INSERT INTO amounts VALUES (1, 1.500, ARRAY[1, 2, 3]), (2, 2, ARRAY[4]), (3, NULL, NULL)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT scale(12.345), scale(8.4100), scale(NULL::numeric), scale(5)",
        "SELECT min_scale(8.4100), min_scale(0.00), min_scale(120)",
        "SELECT trim_scale(12.3400), trim_scale(0.00), trim_scale(-1.50)",
        "SELECT id, scale(price), min_scale(price), trim_scale(price) FROM amounts ORDER BY id",
        "SELECT trim_array(ARRAY['a', 'b'], 2), trim_array(ARRAY['x', 'y', 'z'], 1)",
        "SELECT id, trim_array(steps, 1) FROM amounts ORDER BY id",
        'SELECT parse_ident(\'"SomeSchema".someTable\'), parse_ident(\'  a . "b""c" .  D \')',
        "SELECT parse_ident('foo.boo[]', false), parse_ident(NULL)",
        "SELECT erf(0.5), erfc(0.5), erf(0), erfc(NULL)",
        "SELECT bit_count('\\x1234'::bytea), bit_count(''::bytea), bit_count('\\xff'::bytea)",
    ],
)
def test_functions_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    ("sql", "sqlstate"),
    [
        ("SELECT trim_array(ARRAY['a', 'b'], 3)", "2202E"),
        ("SELECT trim_array(ARRAY['a', 'b'], -1)", "2202E"),
        ("SELECT trim_array(steps, 2) FROM amounts WHERE id = 2", "2202E"),
        ("SELECT parse_ident('foo.boo[]')", "22023"),
        ("SELECT parse_ident('.a')", "22023"),
        ("SELECT parse_ident('a.')", "22023"),
        ("SELECT parse_ident('\"a')", "22023"),
        ("SELECT parse_ident('\"\"')", "22023"),
        ("SELECT parse_ident('1a')", "22023"),
    ],
)
def test_invalid_arguments_as_postgres(both, sql, sqlstate):
    assert both.sqlstates(sql) == (sqlstate, sqlstate)
