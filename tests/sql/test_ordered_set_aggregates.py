"""percentile_disc(f) and mode() WITHIN GROUP (ORDER BY x) as PostgreSQL 16 answers them (both
were 42883): the first value reaching the fraction, or the most frequent value (the first in the
group's order among equally frequent ones), NULLs left out, per group, with FILTER, any orderable
type."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE latencies (id int PRIMARY KEY, agent text, ms float8, cost numeric(8,2), at date)",
    "INSERT INTO latencies VALUES (1, 'a', 12.5, 1.10, '2026-01-03'), (2, 'a', 3.0, 0.50, '2026-01-01'),"
    " (3, 'a', NULL, 2.00, NULL), (4, 'b', 7.25, NULL, '2026-02-01'), (5, 'b', 7.25, 0.75, '2026-01-15'),"
    " (6, 'b', 100.0, 9.99, '2025-12-31'), (7, 'c', NULL, NULL, NULL), (8, 'a', 0.5, 0.01, '2026-03-01'),"
    " (9, 'a', 42.0, 3.30, '2026-01-02'), (10, 'a', 8.0, 1.00, '2026-01-04')",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) FROM latencies",
        "SELECT percentile_disc(0) WITHIN GROUP (ORDER BY ms), percentile_disc(1) WITHIN GROUP (ORDER BY ms) FROM latencies",
        "SELECT percentile_disc(0.3) WITHIN GROUP (ORDER BY id), percentile_disc(0.9) WITHIN GROUP (ORDER BY cost) FROM latencies",
        "SELECT agent, percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) AS p50, count(*) FROM latencies GROUP BY agent ORDER BY agent",
        "SELECT percentile_disc(0.25) WITHIN GROUP (ORDER BY ms DESC) FROM latencies",
        "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY at), percentile_disc(0.5) WITHIN GROUP (ORDER BY agent) FROM latencies",
        "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE agent = 'a') FROM latencies",
        "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) FROM latencies WHERE agent = 'nobody'",
        "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ms), percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM latencies",
    ],
)
def test_percentile_disc_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def test_a_fraction_outside_zero_to_one_is_refused(both):
    sql = "SELECT percentile_disc(1.5) WITHIN GROUP (ORDER BY ms) FROM latencies"
    assert both.sqlstates(sql) == ("22003", "22003")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT mode() WITHIN GROUP (ORDER BY ms), mode() WITHIN GROUP (ORDER BY agent) FROM latencies",
        "SELECT mode() WITHIN GROUP (ORDER BY agent DESC), mode() WITHIN GROUP (ORDER BY id) FROM latencies",
        "SELECT agent, mode() WITHIN GROUP (ORDER BY cost), mode() WITHIN GROUP (ORDER BY at DESC) FROM latencies"
        " GROUP BY agent ORDER BY agent",
        "SELECT mode() WITHIN GROUP (ORDER BY ms) FILTER (WHERE agent <> 'b'), count(*) FROM latencies",
        "SELECT mode() WITHIN GROUP (ORDER BY ms) FROM latencies WHERE agent = 'c'",
        "SELECT mode() WITHIN GROUP (ORDER BY ms), percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) FROM latencies",
    ],
)
def test_mode_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def test_mode_takes_one_order_by_expression(both):
    assert both.sqlstates("SELECT mode() WITHIN GROUP (ORDER BY ms, id) FROM latencies") == ("42883", "42883")
