"""What PostgreSQL 16 answers and DataFusion answered otherwise: a DISTINCT aggregate without ORDER
BY lists its values sorted (PostgreSQL removes duplicates by sorting; DataFusion's hashing listed
them as they came), ``BETWEEN SYMMETRIC`` (refused by DataFusion's parser), and ``upper``/``lower``
a character at a time (``STRAßE``, not ``STRASSE``; ``σασ``, not a final ``ς``)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE notes (id int PRIMARY KEY, agent text, tag text, n int)",
    "INSERT INTO notes VALUES (1, 'b', 'zeta', 3), (2, 'a', 'alpha', 1), (3, 'b', 'mu', 3), (4, 'a', 'zeta', NULL),"
    " (5, 'b', 'alpha', 2), (6, 'c', NULL, 9)",
    "CREATE TABLE words (id int PRIMARY KEY, w text)",
    "INSERT INTO words VALUES (1, 'straße'), (2, 'ΣΑΣ'), (3, 'İstanbul'), (4, 'plain'), (5, NULL), (6, 'ﬁx')",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT string_agg(DISTINCT tag, ','), array_agg(DISTINCT n) FROM notes",
        "SELECT agent, string_agg(DISTINCT tag, ' '), array_agg(DISTINCT n) FROM notes GROUP BY agent ORDER BY agent",
        "SELECT string_agg(DISTINCT tag, ',' ORDER BY tag DESC) FROM notes",
        "SELECT id FROM notes WHERE n BETWEEN SYMMETRIC 3 AND 1 ORDER BY id",
        "SELECT id, n NOT BETWEEN SYMMETRIC 9 AND 2 FROM notes ORDER BY id",
        "SELECT id, upper(w), lower(w), upper(lower(w)) AS again FROM words ORDER BY id",
        "SELECT count(*) FROM words WHERE lower(w) = 'σασ' OR upper(w) = 'STRAßE'",
    ],
)
def test_answers_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
