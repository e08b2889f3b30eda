"""A column added with a default reads that default for rows written before it on every path that
reads a stored row: a key lookup, UPDATE and upsert by key (which rewrite the row), a diff between
branches and a merge (they read the default as NULL and wrote it back as NULL)."""

from __future__ import annotations

from decimal import Decimal

import pytest

import agentlake


@pytest.fixture
def repo(tmp_path):
    path = str(tmp_path / "repo")
    db = agentlake.connect(path)
    db.execute("CREATE TABLE facts (id int PRIMARY KEY, body text)")
    db.execute("INSERT INTO facts VALUES (1, 'one'), (2, 'two'), (3, 'three')")
    db.execute("ALTER TABLE facts ADD COLUMN weight int DEFAULT 7")
    db.execute("ALTER TABLE facts ADD COLUMN cost numeric(6,2) DEFAULT 1.50")
    db.close()
    return path


def test_key_lookups_and_writes_by_key_keep_the_default(repo):
    db = agentlake.connect(repo)
    assert db.execute("SELECT weight, cost FROM facts WHERE id = 1").fetchall() == [(7, Decimal("1.50"))]
    db.execute("UPDATE facts SET body = 'uno' WHERE id = 1")
    db.execute("INSERT INTO facts VALUES (2, 'dos') ON CONFLICT (id) DO UPDATE SET body = excluded.body")
    db.execute("DELETE FROM facts WHERE id = 3")
    assert db.execute("SELECT * FROM facts ORDER BY id").fetchall() == [
        (1, "uno", 7, Decimal("1.50")),
        (2, "dos", 7, Decimal("1.50")),
    ]


def test_diffs_and_merges_keep_the_default(repo):
    main = agentlake.connect(repo)
    agent = agentlake.connect(repo, "agent", from_="main")
    agent.execute("UPDATE facts SET body = 'changed' WHERE id = 2")
    changed = agent.diff("main")["facts"].changed
    assert changed.column("old").to_pylist()[0]["weight"] == 7
    assert changed.column("new").to_pylist()[0]["cost"] == Decimal("1.50")
    agent.merge("main")
    assert main.execute("SELECT id, body, weight, cost FROM facts ORDER BY id").fetchall() == [
        (1, "one", 7, Decimal("1.50")),
        (2, "changed", 7, Decimal("1.50")),
        (3, "three", 7, Decimal("1.50")),
    ]
