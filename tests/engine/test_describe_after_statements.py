"""A statement described after others is described as itself.

The session caches each statement's DataFusion SQL under the statement's text while it runs; the cache
was keyed by the statement tree's ``id()``, which a later tree can reuse once the earlier one is
freed, and describing then answered with the earlier statement's columns (asyncpg through SQLAlchemy
reported "the number of columns in the result row (4) is different from what was described (1)").
Each describe here has a text of its own, so none is answered from the describe cache.
"""

from __future__ import annotations

import agentlake


def test_a_describe_after_a_query_gets_its_own_columns(tmp_path):
    db = agentlake.connect(str(tmp_path / "repo"))
    db.execute("CREATE TABLE note (id int PRIMARY KEY, body text, meta jsonb, n int)")
    wrong = []
    for i in range(500):
        db.execute("SELECT relname FROM pg_catalog.pg_class WHERE relname = 'note'").fetchall()
        described = db.describe(
            "SELECT note.id AS note_id, note.body AS note_body, note.meta AS note_meta, note.n AS note_n "
            f"FROM note WHERE note.id = $1::INTEGER /* {i} */"
        )
        if described.names != ["note_id", "note_body", "note_meta", "note_n"]:
            wrong.append((i, described.names))
    assert wrong == []
    db.close()
