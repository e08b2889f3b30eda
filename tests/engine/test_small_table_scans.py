"""Small tables scanned from their decoded rows in memory answer as the Parquet scans do.

executors/local/snapshot_tables.py registers a table of up to SMALL_TABLE_ROWS rows of plain types
as one in-memory scan; bigger tables, other types and files whose stored columns differ keep one
Parquet scan per file. The same statements run with the in-memory scans switched off must give
the same rows, types and errors, across deletes, updates, many one-row files, added columns and
NOT NULL set and dropped.
"""

from __future__ import annotations

import pytest

import agentlake
from agentlake.executors.local import snapshot_tables

SETUP = [
    "CREATE TABLE m (k text PRIMARY KEY, v text, n int, big bigint, f double precision, d numeric(10, 2),"
    " t timestamptz, day date, ok boolean, raw bytea)",
    "INSERT INTO m VALUES ('a', 'x', 1, 10, 1.5, 2.25, '2024-01-02 03:04:05+00', '2024-01-02', true, '\\x0102'),"
    " ('b', NULL, 2, NULL, NULL, NULL, NULL, NULL, NULL, NULL), ('c', 'z', 3, -5, -0.5, 1.10,"
    " '1999-12-31 23:59:59+00', '1999-12-31', false, '\\x')",
    *[f"INSERT INTO m (k, v, n) VALUES ('r{i}', 'row {i}', {i % 7})" for i in range(30)],
    "UPDATE m SET n = n + 100 WHERE k = 'r3'",
    "UPDATE m SET v = 'many' WHERE n = 2",
    "DELETE FROM m WHERE k IN ('r4', 'r5')",
    "DELETE FROM m WHERE n = 6",
    "CREATE TABLE other (k text PRIMARY KEY, w int)",
    "INSERT INTO other VALUES ('a', 1), ('r1', 2), ('zz', 3)",
]

QUERIES = [
    "SELECT count(*) FROM m",
    "SELECT count(*) FROM m WHERE n > 3",
    "SELECT * FROM m ORDER BY k",
    "SELECT k, n FROM m WHERE v LIKE 'row%' ORDER BY n DESC, k",
    "SELECT n % 3 AS g, count(*), sum(n), max(big), avg(f), sum(d) FROM m GROUP BY 1 ORDER BY 1",
    "SELECT m.k, other.w FROM m JOIN other ON m.k = other.k ORDER BY m.k",
    "SELECT k FROM m WHERE t > '2000-01-01' ORDER BY k",
    "SELECT k, raw FROM m WHERE raw IS NOT NULL ORDER BY k",
    "SELECT day, ok FROM m WHERE ok IS NOT NULL ORDER BY day",
    "SELECT k FROM m WHERE n = 'x'",
    "SELECT nope FROM m",
]

STEPS = [
    [],
    ["ALTER TABLE m ADD COLUMN extra int DEFAULT 7", "INSERT INTO m (k, n, extra) VALUES ('e', 1, 8)"],
    ["UPDATE m SET extra = extra + 1 WHERE k = 'e'", "DELETE FROM m WHERE k = 'a'"],
]


def _answers(conn) -> list:
    out = []
    for sql in [*QUERIES, "SELECT * FROM m ORDER BY k"]:
        try:
            cursor = conn.execute(sql)
            rows = cursor.fetchall()
            out.append((sql, [d[0] for d in cursor.description], rows))
        except agentlake.Error as err:
            out.append((sql, err.sqlstate, str(err)))
    return out


def _run(path, monkeypatch, in_memory: bool) -> list:
    with monkeypatch.context() as patch:
        if not in_memory:
            patch.setattr(snapshot_tables, "SMALL_TABLE_ROWS", -1)
        conn = agentlake.connect(str(path))
        for statement in SETUP:
            conn.execute(statement)
        seen = []
        for step in STEPS:
            for statement in step:
                conn.execute(statement)
            seen.append(_answers(conn))
        conn.close()
        return seen


def test_in_memory_scans_answer_as_parquet_scans(tmp_path, monkeypatch):
    parquet = _run(tmp_path / "parquet", monkeypatch, in_memory=False)
    assert _run(tmp_path / "memory", monkeypatch, in_memory=True) == parquet


NOT_NULL_SCRIPT = [
    "CREATE TABLE nn (k text PRIMARY KEY, v text)",
    "INSERT INTO nn VALUES ('a', 'x')",
    "INSERT INTO nn VALUES ('b', 'y')",
    "SELECT count(*) FROM nn WHERE v IS NULL",
    "ALTER TABLE nn ALTER COLUMN v SET NOT NULL",
    "INSERT INTO nn VALUES ('c', 'z')",
    "SELECT count(*) FROM nn WHERE v IS NULL",
    "ALTER TABLE nn ALTER COLUMN v DROP NOT NULL",
    "INSERT INTO nn VALUES ('d', NULL)",
    "SELECT k FROM nn WHERE v IS NULL",
    "SELECT count(*) FROM nn WHERE v IS NOT NULL",
]


def _script(path, monkeypatch, in_memory: bool) -> list:
    with monkeypatch.context() as patch:
        if not in_memory:
            patch.setattr(snapshot_tables, "SMALL_TABLE_ROWS", -1)
        conn = agentlake.connect(str(path))
        out = []
        for sql in NOT_NULL_SCRIPT:
            cursor = conn.execute(sql)
            out.append(cursor.fetchall() if cursor.description else None)
        conn.close()
        return out


def test_not_null_set_and_dropped_between_scans(tmp_path, monkeypatch):
    """A file's rows kept from before SET / DROP NOT NULL are not mixed with the new schema's."""
    parquet = _script(tmp_path / "parquet", monkeypatch, in_memory=False)
    assert parquet[-2:] == [[("d",)], [(3,)]]
    assert _script(tmp_path / "memory", monkeypatch, in_memory=True) == parquet


@pytest.mark.parametrize("limit", [0, 10])
def test_tables_over_the_limit_keep_parquet_scans(tmp_path, monkeypatch, limit):
    """Around the size limit the answers are the same too."""
    monkeypatch.setattr(snapshot_tables, "SMALL_TABLE_ROWS", limit)
    conn = agentlake.connect(str(tmp_path / "repo"))
    for statement in SETUP:
        conn.execute(statement)
    # 33 rows less 6 deleted; n sums to 6 + 85 (r0..r29) + 100 (r3) - 33 (the deleted ones)
    assert conn.execute("SELECT count(*), sum(n) FROM m").fetchall() == [(27, 158)]
