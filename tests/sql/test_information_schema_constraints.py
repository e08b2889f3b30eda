"""information_schema's constraint views answer as PostgreSQL 16's do for the tables a user made (they
did not exist: 42P01), and information_schema.columns gives every number type's precision, radix
and scale. Agents and schema tools learn keys and references through these standard views."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE parent (id int PRIMARY KEY, name varchar(5) NOT NULL, n int CHECK (n > 0), u text UNIQUE)",
    "CREATE TABLE child (id int PRIMARY KEY, pid int REFERENCES parent (id) ON DELETE CASCADE)",
    "CREATE TABLE pair (a int, b int, x int, PRIMARY KEY (a, b), UNIQUE (x))",
    "CREATE TABLE link (id int PRIMARY KEY, ra int, rb int,"
    " FOREIGN KEY (rb, ra) REFERENCES pair (b, a) ON UPDATE CASCADE ON DELETE SET NULL)",
    "CREATE TABLE nums (a smallint, b int, c bigint, d real, e float8, f numeric(8,3), g numeric, h text)",
]

MINE = "('parent', 'child', 'pair', 'link')"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT constraint_name, table_name, constraint_type, is_deferrable, initially_deferred, enforced,"
        f" nulls_distinct FROM information_schema.table_constraints WHERE table_name IN {MINE}"
        " AND constraint_type <> 'CHECK' ORDER BY 1",
        "SELECT table_name, count(*) FROM information_schema.table_constraints"
        f" WHERE table_name IN {MINE} AND constraint_type = 'CHECK' GROUP BY 1 ORDER BY 1",
        "SELECT constraint_name, table_name, column_name, ordinal_position, position_in_unique_constraint"
        f" FROM information_schema.key_column_usage WHERE table_name IN {MINE} ORDER BY 1, 4",
        "SELECT constraint_name, unique_constraint_name, match_option, update_rule, delete_rule"
        " FROM information_schema.referential_constraints WHERE constraint_schema = 'public' ORDER BY 1",
        "SELECT table_name, column_name, constraint_name FROM information_schema.constraint_column_usage"
        f" WHERE table_name IN {MINE} ORDER BY 1, 2, 3",
        "SELECT c.check_clause FROM information_schema.check_constraints c"
        " JOIN information_schema.table_constraints t ON t.constraint_name = c.constraint_name"
        f" WHERE t.table_name IN {MINE} ORDER BY 1",
        "SELECT tc.table_name, kcu.column_name, ccu.table_name, ccu.column_name"
        " FROM information_schema.table_constraints tc"
        " JOIN information_schema.key_column_usage kcu ON tc.constraint_name = kcu.constraint_name"
        " JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name"
        " WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public' ORDER BY 1, 2, 4",
        "SELECT column_name, data_type, numeric_precision, numeric_precision_radix, numeric_scale"
        " FROM information_schema.columns WHERE table_name = 'nums' ORDER BY ordinal_position",
    ],
)
def test_constraint_views_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)
