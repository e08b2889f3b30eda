"""A statement's few rows are written as an Arrow IPC file, the batch itself, rather than as a Parquet
file (FORMAT.md, *Data file*): every reader takes them as it takes Parquet files (from the journal, a
pack, a file written out for an engine; SQL on DataFusion, Dask and Polars), compaction folds them
into Parquet, and a damaged one is corrupt data (XX001) like any other file.

Readers are separate ``Repository`` objects or connections, as separate processes have.
"""

from __future__ import annotations

import pyarrow as pa
import pytest
from catalog_helpers import commit_items, items, repo_with_items, rows
from stored_objects import damage

import agentlake
from agentlake.api.context import Context
from catalog import Repository
from catalog.errors import DataCorrupted


def _formats(repo: Repository, table: str = "items") -> list[str]:
    return sorted(entry.path.rsplit(".", 1)[1] for entry in repo.snapshot("main").manifest(table).files)


def test_a_statements_rows_are_an_arrow_file_and_a_load_is_parquet(tmp_path):
    url = str(tmp_path / "repo")
    repo = repo_with_items(url, n=0)
    commit_items(repo, "main", [1, 2])
    tx = repo.begin("main")
    tx.append("items", items(range(10, 5010)))
    tx.commit("a load")
    assert _formats(repo) == ["arrow", "parquet"]
    read = rows(Repository.open(url, create=False))
    assert [r["id"] for r in read] == [1, 2, *range(10, 5010)]
    assert read[:2] == [{"id": 1, "name": "x1", "qty": 0}, {"id": 2, "name": "x2", "qty": 0}]


def test_arrow_files_are_read_from_the_journal_a_pack_and_a_written_out_file(tmp_path):
    url = str(tmp_path / "repo")
    repo = repo_with_items(url, n=0)
    for i in range(3):
        commit_items(repo, "main", [i])
    expected = [{"id": i, "name": f"x{i}", "qty": 0} for i in range(3)]
    assert rows(Repository.open(url, create=False)) == expected  # from the journal
    repo.storage.prune_versions(0)  # checkpoints the journal: its objects go to a pack
    packed = Repository.open(url, create=False)
    assert rows(packed) == expected
    entry = packed.snapshot("main").manifest("items").files[0]
    written = pa.ipc.open_file(packed.storage.uri(entry.path)).read_all()
    assert written.column("_rowid").to_pylist() == [entry.rowid_min]
    assert written.column("id").to_pylist() in ([0], [1], [2])


def test_compaction_folds_arrow_files_into_parquet_keeping_rowids(tmp_path):
    url = str(tmp_path / "repo")
    repo = repo_with_items(url, n=0)
    for i in range(6):
        commit_items(repo, "main", [i])
    tx = repo.begin("main")
    tx.delete_keys("items", [3])
    tx.commit("one gone")
    before = repo.snapshot("main").read("items", with_rowid=True).sort_by("id")
    repo.compact("main")
    assert _formats(repo) == ["parquet"]
    after = Repository.open(url, create=False).snapshot("main").read("items", with_rowid=True).sort_by("id")
    assert after.equals(before)
    assert after.column("id").to_pylist() == [0, 1, 2, 4, 5]


def test_sql_reads_a_big_tables_parquet_and_arrow_files_on_every_executor(tmp_path):
    """A big table is scanned file by file: Parquet files by DataFusion, Dask and Polars themselves,
    and the Arrow files of the statements that wrote to it since, in the same scan."""
    url = str(tmp_path / "repo")
    with agentlake.connect(url) as db:
        db.execute("CREATE TABLE big (id bigint PRIMARY KEY, v text NOT NULL, d numeric(10, 2))")
        n = 70_000
        ids = pa.array(range(n), pa.int64())
        db.load_arrow(
            "big", pa.table({"id": ids, "v": [f"v{i}" for i in range(n)], "d": pa.nulls(n, pa.decimal128(10, 2))})
        )
        db.execute("INSERT INTO big VALUES (%s, 'new', 3.25)", [n])
        db.execute("UPDATE big SET v = 'changed' WHERE id = 5")
    assert _formats(Repository.open(url, create=False), "big") == ["arrow", "arrow", "parquet"]
    with agentlake.connect(url) as db:
        assert db.execute("SELECT count(*), max(id), sum(d), min(v) FROM big").fetchall() == [
            (70_001, 70_000, pytest.approx(3.25), "changed")
        ]
        assert db.execute("SELECT v FROM big WHERE id IN (5, 6, 70000) ORDER BY id").fetchall() == [
            ("changed",),
            ("v6",),
            ("new",),
        ]
    query = "SELECT count(*) AS c, max(id) AS m, min(v) AS v FROM big"
    ctx = Context(url, "main")
    assert ctx.sql(query, return_futures=False).to_dict("records") == [{"c": 70_001, "m": 70_000, "v": "changed"}]
    assert ctx.sql(query, executor="polars", return_futures=False).to_dicts() == [
        {"c": 70_001, "m": 70_000, "v": "changed"}
    ]


@pytest.mark.parametrize("junk", [b"garbage!", b"ARROW1\x00\x00"], ids=["garbage", "magic bytes only"])
def test_a_damaged_arrow_file_is_corrupt_data(tmp_path, junk):
    url = str(tmp_path / "repo")
    repo = repo_with_items(url, n=0)
    commit_items(repo, "main", [1])
    (entry,) = repo.snapshot("main").manifest("items").files
    repo.storage.prune_versions(0)  # packs the journal's objects
    damaged = damage(url, entry.path, junk)
    with pytest.raises(DataCorrupted) as raised:
        rows(Repository.open(url, create=False))
    assert raised.value.sqlstate == "XX001"
    assert str(raised.value).startswith(f'could not read file "{damaged}": ')
