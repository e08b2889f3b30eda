"""Column defaults and CHECK constraints read back as PostgreSQL 16 prints them: pg_get_expr and
pg_get_constraintdef, plain and pretty, and information_schema.columns.column_default, which psql's
``\\d``, SQLAlchemy's reflection and Alembic read. PostgreSQL prints an expression from its analysed
form: constants typed by what they were coerced to (``'x'::text``, ``'-5'::integer``), BETWEEN as
two comparisons, IN as ``= ANY (ARRAY[...])``, varchar operands relabelled as text."""

from __future__ import annotations

from decimal import Decimal

import pytest

DEFAULTS = [
    ("a", "text DEFAULT 'x'"),
    ("b", "varchar(10) DEFAULT 'y'"),
    ("c", "int DEFAULT 0"),
    ("d", "bigint DEFAULT -5"),
    ("e", "numeric(5,2) DEFAULT 1.5"),
    ("f", "boolean DEFAULT true"),
    ("g", "jsonb DEFAULT '{}'::jsonb"),
    ("h", "timestamptz DEFAULT now()"),
    ("i", "timestamptz DEFAULT CURRENT_TIMESTAMP"),
    ("j", "uuid DEFAULT gen_random_uuid()"),
    ("k", "float8 DEFAULT 2.5"),
    ("l", "date DEFAULT CURRENT_DATE"),
    ("m", "text[] DEFAULT '{}'"),
    ("n", "int DEFAULT (1+2)"),
    ("o", "text DEFAULT upper('q')"),
    ("p", "real DEFAULT 1"),
    ("q", "int DEFAULT NULL"),
    ("r", "bigint DEFAULT '7'"),
    ("s", "text DEFAULT 'it''s'"),
    ("t", "int DEFAULT 1 + 2 * 3"),
    ("u", "text[] DEFAULT ARRAY['a','b']"),
    ("v", "text DEFAULT concat('a', 'b')"),
    ("w", "boolean DEFAULT 'false'"),
]
CHECKS = [
    "a > 0",
    "a IS NULL OR a BETWEEN 1 AND 5",
    "length(t) > 2 AND t <> ''",
    "b LIKE 'x%'",
    "b IN ('x', 'y')",
    "a NOT IN (1, 2)",
    "n > 0",
    "f > 0.5",
    "a > -5",
    "d > '2020-01-01'",
    "t IS NOT NULL",
    "(a + 1) * 2 > 4",
    "a % 2 = 0 OR (a < -1 AND t ILIKE '%q%')",
    "coalesce(a, 0) >= 0",
    "lower(b) <> ''",
    "t !~ '^z'",
    "a IS DISTINCT FROM 3",
]
SETUP = [
    "CREATE TABLE defaults (id int, " + ", ".join(f"{name} {spec}" for name, spec in DEFAULTS) + ")",
    "ALTER TABLE defaults ALTER COLUMN c SET DEFAULT -1",
    "ALTER TABLE defaults ADD COLUMN z varchar(20) DEFAULT 'draft'",
    "CREATE TABLE checked (a int, b varchar(10), t text, n numeric(6,2), f float8, d date, "
    + ", ".join(f"CONSTRAINT c{i:02} CHECK ({check})" for i, check in enumerate(CHECKS))
    + ")",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid), pg_get_expr(d.adbin, d.adrelid, true)"
        " FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
        " WHERE a.attrelid = 'defaults'::regclass ORDER BY a.attnum",
        "SELECT column_name, column_default FROM information_schema.columns"
        " WHERE table_name = 'defaults' ORDER BY ordinal_position",
        "SELECT conname, pg_get_constraintdef(oid), pg_get_constraintdef(oid, true) FROM pg_constraint"
        " WHERE conrelid = 'checked'::regclass ORDER BY conname",
    ],
)
def test_stored_expressions_print_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert lake.rows == postgres.rows


def test_defaults_still_fill_rows(both):
    both.lake.execute("INSERT INTO defaults (id) VALUES (1)")
    columns = "a, b, c, d, e, f, g, k, m, n, o, p, q, r, s, t, u, v, w, z"
    row = both.lake.execute(f"SELECT {columns} FROM defaults").fetchone()
    assert row[:7] == ("x", "y", -1, -5, Decimal("1.50"), True, {})
    assert row[7:] == (2.5, [], 3, "Q", 1.0, None, 7, "it's", 7, ["a", "b"], "ab", False, "draft")
