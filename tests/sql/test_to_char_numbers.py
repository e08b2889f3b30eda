"""to_char(number, template) as PostgreSQL 16 writes it (it was refused): digit positions, fill
mode, decimal points and groups, the sign patterns, V, EEEE and ordinals, over numeric, integer
and float columns and constants; with PostgreSQL's errors for templates it rejects."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE amounts (id int PRIMARY KEY, price numeric(10,2), n int, big bigint, ratio float8, r4 real)",
    "INSERT INTO amounts VALUES (1, 2.50, 12, 1234567, 2.5, 0.125), (2, -1234.56, -7, -3, -0.05, -1.5),"
    " (3, 0.00, 0, 0, 0.0, 0.0), (4, NULL, NULL, NULL, NULL, NULL), (5, 99999999.99, 1000, 9, 123456.789, 3.5)",
]

TEMPLATES = [
    "999.00",
    "FM999.00",
    "FM999.99",
    "9,999.99",
    "FM9,999,999.00",
    "9G999D99",
    "0999",
    "FM0000",
    "9099",
    "S9999",
    "9999S",
    "FMS9999",
    "9999MI",
    "FM9999MI",
    "MI9999",
    "999PR",
    "FM999PR",
    "S0.99",
    "9.99",
    "0.99",
    "FM9.99",
    "FM.99",
    "99V9",
    "9.99EEEE",
    "999th",
    "FM9TH",
    '"n="99',
    "x999y",
    "99 99",
    "9",
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_columns_as_postgres(both, template):
    sql = (
        f"SELECT id, to_char(price, '{template}'), to_char(n, '{template}'), to_char(big, '{template}'),"
        f" to_char(ratio, '{template}'), to_char(r4, '{template}') FROM amounts ORDER BY id"
    )
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT to_char(0.5, 'FM9.99'), to_char(0, 'FM9.99'), to_char(0, '999'), to_char(-0.001, '9.99')",
        "SELECT to_char(123456.7, '99.9'), to_char(999.9, '999'), to_char(1234, '9,999'), to_char(-1234, '9.99')",
        "SELECT to_char(12, '99.99EEEE'), to_char(-12345.678, '9.999EEEE'), to_char(0, '9.9EEEE')",
        "SELECT to_char(1.555, '9V99'), to_char(11, 'FM99TH'), to_char(22, 'FM99th'), to_char(-1, 'FM9th'), to_char(5, 'FMTH9')",
        "SELECT to_char(9.996, '9.99EEEE'), to_char(12, 'FM999 \\9'), to_char(1234.5, 'FM9G999D99')",
        "SELECT to_char(2.5::float8, 'FM9'), to_char(3.5::float8, 'FM9'), to_char(12, '')",
        "SELECT to_char(NULL::numeric, '99'), to_char(12, NULL)",
    ],
)
def test_constants_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT to_char(12, 'FM9.9EEEE')",
        "SELECT to_char(1.5, '9.9V9')",
        "SELECT to_char(12, '9.9.9')",
        "SELECT to_char(12, 'S999S')",
    ],
)
def test_rejected_templates_as_postgres(both, sql):
    lake, postgres = both.sqlstates(sql)
    assert lake == postgres and postgres is not None
