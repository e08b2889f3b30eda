"""A window frame's EXCLUDE clause: ``EXCLUDE NO OTHERS`` (the default) answers as PostgreSQL 16 does;
the exclusions DataFusion cannot compute are refused with 0A000 (they were a syntax error, 42601)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE amounts (id int PRIMARY KEY, amount int)",
    "INSERT INTO amounts VALUES (1, 10), (2, 20), (3, 5), (4, 7)",
]


def test_exclude_no_others_as_postgres(both):
    sql = (
        "SELECT id, sum(amount) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE NO OTHERS)"
        " FROM amounts ORDER BY id"
    )
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize("excluded", ["CURRENT ROW", "GROUP", "TIES"])
def test_other_exclusions_are_refused(both, excluded):
    sql = f"SELECT sum(amount) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW EXCLUDE {excluded}) FROM amounts"
    assert both.sqlstates(sql)[0] == "0A000"
