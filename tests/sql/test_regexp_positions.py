"""regexp_substr and regexp_instr (PostgreSQL 15's): the N-th match from a start position, or one
of its parenthesized parts, its text or where it begins or ends; 22023 for a start, N, endoption
or subexpr out of range and for the g flag. Compared with PostgreSQL 16; regexp_substr was 42883."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE notes (id int PRIMARY KEY, body text)",
    "INSERT INTO notes VALUES (1, 'order 12 shipped 345 units'), (2, 'NO DIGITS'), (3, NULL)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, regexp_substr(body, '[0-9]+'), regexp_substr(body, '[0-9]+', 1, 2),"
        " regexp_substr(body, '[0-9]+', 10), regexp_substr(body, 'd', 1, 1, 'i') FROM notes ORDER BY id",
        "SELECT id, regexp_instr(body, '[0-9]+'), regexp_instr(body, '[0-9]+', 1, 2),"
        " regexp_instr(body, '[0-9]+', 1, 1, 1), regexp_instr(body, 's', 1, 3) FROM notes ORDER BY id",
        "SELECT regexp_substr('a1b2', '([a-z])([0-9])', 1, 2, '', 2), regexp_substr('a1', '([a-z])', 1, 1, '', 3),"
        " regexp_instr('a1b2', '([a-z])([0-9])', 1, 2, 0, '', 2), regexp_instr('abc', '(x)?b', 1, 1, 0, '', 1)",
        "SELECT regexp_count(body, '[0-9]'), regexp_count(body, 's', 10), regexp_count(body, 'D', 1, 'i')"
        " FROM notes ORDER BY id",
    ],
)
def test_nth_matches_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT regexp_substr('abc', 'b', 0)",
        "SELECT regexp_substr('abc', 'b', 1, 0)",
        "SELECT regexp_substr('abc', 'b', 1, 1, 'g')",
        "SELECT regexp_substr('abc', 'b', 1, 1, '', -1)",
        "SELECT regexp_instr('abc', 'b', 1, 1, 2)",
        "SELECT regexp_instr(body, 'b', -1) FROM notes",
    ],
)
def test_parameters_out_of_range_are_22023_as_postgres(both, sql):
    assert both.sqlstates(sql) == ("22023", "22023")
