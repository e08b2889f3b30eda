"""A view's query read back as PostgreSQL 16 prints it: pg_get_viewdef plain and pretty and
pg_views.definition (psql's ``\\d+``, SQLAlchemy's ``get_view_definition``), laid out as ruleutils
lays it out, with varchar columns relabelled as text, positions in ORDER BY as their expressions
and unnamed expressions named."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE docs (id bigint PRIMARY KEY, title varchar(80), n int)",
    "CREATE VIEW recent AS SELECT id, title FROM docs WHERE id > 10",
    "CREATE VIEW counted AS SELECT d.id, count(*) AS c FROM docs d JOIN docs e ON d.id = e.id GROUP BY d.id ORDER BY 2 DESC",
    "CREATE VIEW summary AS SELECT DISTINCT n, count(*) AS c, max(title) FROM docs WHERE n > 1 AND title LIKE 'a%'"
    " GROUP BY n HAVING count(*) > 1 ORDER BY n DESC LIMIT 5 OFFSET 2",
    "CREATE VIEW orphans AS SELECT d.id, e.title AS t FROM docs d LEFT JOIN docs e ON d.id = e.id WHERE e.n IS NULL",
    "CREATE VIEW doubled AS SELECT id * 2 AS dbl, upper(title) FROM docs",
]
VIEWS = ["recent", "counted", "summary", "orphans", "doubled"]


@pytest.mark.parametrize("view", VIEWS)
def test_view_definitions_as_postgres(both, view):
    lake, postgres = both.answers(
        f"SELECT pg_get_viewdef('{view}'::regclass), pg_get_viewdef('{view}'::regclass, true)"
    )
    assert lake.rows == postgres.rows
    lake, postgres = both.answers(f"SELECT definition FROM pg_views WHERE viewname = '{view}'")
    assert lake.rows == postgres.rows
