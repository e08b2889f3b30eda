"""to_number(text, template) reads numbers as PostgreSQL 16 does: digit positions, decimal points and
group separators, signs (a leading minus, S, MI, PR), a currency symbol at L, digits beyond the
template left unread; an empty or digitless text is 22P02, two decimal points 42601, EEEE 0A000."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE texts (id int PRIMARY KEY, t text)",
    "INSERT INTO texts VALUES (1, '1.5'), (2, '-2.25'), (3, NULL)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT to_number('12.3', '99.99'), to_number('-12.3', '99.99'), to_number('12,345.6', '99G999D9')",
        "SELECT to_number('1,234,567', '9,999,999'), to_number('$1,234.56', 'L9,999.99'), to_number('12abc', '99')",
        "SELECT to_number('123', '9'), to_number('  12', '9999'), to_number('<12>', '99PR'), to_number('12-', '99MI')",
        "SELECT to_number('5', '9.99'), to_number('12.345', '99.9'), to_number('-5', 'S9'), to_number('0012', '0000')",
        "SELECT to_number(NULL, '99'), to_number('5', NULL)",
        "SELECT id, to_number(t, '999D99') FROM texts ORDER BY id",
    ],
)
def test_numbers_read_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql, sqlstate",
    [
        ("SELECT to_number('', '99')", "22P02"),
        ("SELECT to_number('abc', '999')", "22P02"),
        ("SELECT to_number('1.2.3', '9.9.9')", "42601"),
        ("SELECT to_number('1e3', '9EEEE')", "0A000"),
    ],
)
def test_unreadable_numbers_as_postgres(both, sql, sqlstate):
    assert both.sqlstates(sql) == (sqlstate, sqlstate)
