"""ALTER TABLE ... ADD COLUMN ... DEFAULT gives the rows already there the default, as PostgreSQL 16
does, for every kind of column (a numeric, date or array default left them NULL, or read an array
default as one element); integer defaults of numeric columns, and numbers too wide for a numeric
column (22003, numeric field overflow)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE plans (id int PRIMARY KEY, name text)",
    "INSERT INTO plans VALUES (1, 'a'), (2, 'b')",
    "ALTER TABLE plans ADD COLUMN budget numeric(8,2) DEFAULT 1.50",
    "ALTER TABLE plans ADD COLUMN due date DEFAULT '2026-01-02'",
    "ALTER TABLE plans ADD COLUMN at timestamp DEFAULT '2026-01-02 03:04:05'",
    "ALTER TABLE plans ADD COLUMN tags text[] DEFAULT '{x,y}'",
    "ALTER TABLE plans ADD COLUMN steps int DEFAULT 7",
    "ALTER TABLE plans ADD COLUMN weight float8 DEFAULT 2",
    "ALTER TABLE plans ADD COLUMN meta jsonb DEFAULT '{\"k\": 1}'",
    "ALTER TABLE plans ADD COLUMN done boolean DEFAULT false",
    "ALTER TABLE plans ADD COLUMN note text DEFAULT 'none'",
    "ALTER TABLE plans ADD COLUMN empty text",
    "ALTER TABLE plans ALTER COLUMN budget SET DEFAULT 3",
    "INSERT INTO plans (id, name) VALUES (3, 'c')",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM plans ORDER BY id",
        "SELECT sum(budget), min(due), max(at), sum(steps), sum(weight) FROM plans",
        "SELECT budget, steps, note FROM plans WHERE id = 1",
        "SELECT id FROM plans WHERE 'x' = ANY(tags) AND meta->>'k' = '1' AND NOT done ORDER BY id",
    ],
)
def test_rows_already_there_read_the_default(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO plans (id, budget) VALUES (10, 1234567)",
        "INSERT INTO plans (id, budget) VALUES (11, 999999.999)",
        "INSERT INTO plans (id, budget) SELECT 12, 12345678",
        "UPDATE plans SET budget = budget * 1000000",
    ],
)
def test_numbers_too_wide_for_a_numeric_column(both, sql):
    assert both.sqlstates(sql) == ("22003", "22003")
