"""Explicit casts to ``varchar(n)`` and ``char(n)`` cut the text to n characters, as PostgreSQL 16
does (they passed it whole), a char(n) value without its trailing blanks (length counts none),
while storing longer text into such a column stays 22001.
Compared by names and rows: the wire types of such casts are text here (PostgreSQL says varchar
and bpchar; clients read all three as strings)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE notes (id int PRIMARY KEY, body text, short varchar(4))",
    "INSERT INTO notes VALUES (1, 'remember the milk', 'abcd'), (2, 'héllo wörld', 'é'), (3, NULL, NULL)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 'abcdef'::varchar(3), CAST('abcdef' AS character varying(2)), 'abcdef'::char(2), 'ab'::varchar(5)",
        "SELECT id, body::varchar(8), CAST(body AS varchar(3)), short::varchar(2) FROM notes ORDER BY id",
        "SELECT id, 12345::varchar(2), (id * 1000)::varchar(3) FROM notes ORDER BY id",
        "SELECT id FROM notes WHERE body::varchar(3) = 'rem'",
        "SELECT length('ab   '::char(5)), '  abc  '::char(5), length('abc'::char(2)), 'ab'::char(4) || 'x'",
    ],
)
def test_length_casts_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)


def test_storing_longer_text_is_refused(both):
    assert both.sqlstates("INSERT INTO notes VALUES (9, 'x', 'abcdef')") == ("22001", "22001")
