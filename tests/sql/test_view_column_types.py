"""A view's columns that are a table's columns keep the table's types in results, as in
PostgreSQL: jsonb reads back as JSON, uuid as uuid, through ``*``, ``t.*``, an alias, a join and a
view of a view. Compared over the wire with PostgreSQL 16 (names, type OIDs and rows)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE docs (id int PRIMARY KEY, body jsonb, ref uuid, note text)",
    "INSERT INTO docs VALUES (1, '{\"a\": 1}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'x'), (2, '[1, 2]', NULL, NULL)",
    "CREATE TABLE owners (doc_id int, who text)",
    "INSERT INTO owners VALUES (1, 'ann'), (2, 'bob')",
    "CREATE VIEW all_docs AS SELECT * FROM docs",
    "CREATE VIEW renamed AS SELECT d.id, d.body AS doc, d.ref AS r FROM docs d WHERE d.id > 0",
    "CREATE VIEW joined AS SELECT o.who, d.* FROM owners o JOIN docs d ON d.id = o.doc_id",
    "CREATE VIEW nested AS SELECT doc, id FROM renamed",
    "CREATE VIEW computed AS SELECT id, body -> 'a' AS a, body::text AS t FROM docs",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM all_docs ORDER BY id",
        "SELECT doc, r FROM renamed ORDER BY id",
        "SELECT * FROM joined ORDER BY id",
        "SELECT * FROM nested ORDER BY id",
        "SELECT * FROM computed ORDER BY id",
        "SELECT n.doc, a.ref FROM nested n JOIN all_docs a ON a.id = n.id ORDER BY n.id",
    ],
)
def test_view_columns_typed_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
