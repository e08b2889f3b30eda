"""Rows of a query without ORDER BY over a small table come as PostgreSQL's heap gives them: in the
order they were written, an updated row after the others. SQL promises no order, but clients
show it: mem0's ``get_all`` lists memories as its unordered ``SELECT ... WHERE ... LIMIT`` returns
them. A table with a vector column was read as a union of per-file scans whose parts DataFusion
interleaved; it is now one in-memory scan like other small tables."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE EXTENSION IF NOT EXISTS vector",
    "CREATE TABLE memories (id uuid PRIMARY KEY, embedding vector(2), payload jsonb)",
    *[
        f"INSERT INTO memories VALUES ('{key}-0000-0000-0000-00000000000{n}', '[{n},1]', "
        f"""'{{"user_id": "{user}", "n": {n}}}')"""
        for n, (key, user) in enumerate(
            [("5d2e0c1a", "alice"), ("1d2e0c1a", "alice"), ("9d2e0c1a", "bob"), ("0d2e0c1a", "alice")], 1
        )
    ],
    "UPDATE memories SET payload = '{\"user_id\": \"alice\", \"n\": 22}' WHERE payload->>'n' = '2'",
    "DELETE FROM memories WHERE payload->>'user_id' = 'bob'",
    "INSERT INTO memories VALUES ('ad2e0c1a-0000-0000-0000-000000000005', '[5,1]', '{\"user_id\": \"alice\", \"n\": 5}')",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, payload FROM memories WHERE payload->>'user_id' = 'alice' LIMIT 100",
        "SELECT payload->>'n' FROM memories",
        "SELECT payload->>'n' FROM memories WHERE embedding <> '[1,1]'",
        "SELECT payload->>'n' FROM memories WHERE payload->>'user_id' = ANY('{alice,carol}')",
    ],
)
def test_unordered_rows_come_in_postgres_heap_order(both, sql):
    lake, postgres = both.answers(sql)
    assert lake.rows == postgres.rows
