"""On local disk a small commit's objects (data files, manifests, the commit) live in the branch's
journal record, not in files of their own (FORMAT.md, *Refs*): every reader finds them there, an engine
that opens files by path gets them written out, and they are packed into one synced file before the
journal that holds them goes (a checkpoint, the branch's deletion).

Readers are separate ``Repository`` objects, each with its own storage and journal views, as separate
processes have; one test uses a real second process.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
from catalog_helpers import commit_items, repo_with_items, rows

import agentlake
from catalog import Repository
from catalog.objects import object_path
from catalog.storage import local

ROOT = Path(__file__).resolve().parents[2]


def _object_file(repo: Repository, object_id: str) -> Path:
    return Path(repo.storage.root, object_path(object_id))


def _packs(repo: Repository) -> list[Path]:
    return sorted(Path(repo.storage.root, "packs").glob("*.pack"))


def _files(repo: Repository) -> set[Path]:
    """The repository's files other than refs and locks (a background compaction may create its lock)."""
    return {p for p in Path(repo.storage.root).rglob("*") if p.is_file() and not {"refs", "locks"} & set(p.parts)}


def test_a_commit_creates_no_file_and_others_read_it(tmp_path):
    url = str(tmp_path / "repo")
    writer = repo_with_items(url)
    reader = Repository.open(url, create=False)
    assert len(rows(reader)) == 10  # the reader has read main's journal before the commit
    before = _files(writer)
    commit_id = commit_items(writer, "main", [100])
    assert _files(writer) == before
    assert writer.storage.exists(object_path(commit_id))
    assert 100 in {row["id"] for row in rows(reader)}
    assert reader.commit(commit_id).message == "rows [100]"


def test_another_process_reads_commits_held_only_by_a_journal(tmp_path):
    url = str(tmp_path / "repo")
    repo = repo_with_items(url)
    repo.create_branch("agent")
    commit_id = commit_items(repo, "agent", [17, 18])
    script = (
        "import sys; from catalog import Repository\n"
        "repo = Repository.open(sys.argv[1], create=False)\n"
        "print(repo.commit(sys.argv[2]).message, sorted(repo.snapshot('agent').read('items').column('id').to_pylist()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, url, commit_id], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"rows [17, 18] {[*range(10), 17, 18]}"


def test_a_short_commit_id_resolves_while_the_commit_is_journaled(tmp_path):
    repo = repo_with_items(str(tmp_path / "repo"))
    commit_id = commit_items(repo, "main", [100])
    assert repo.resolve(commit_id[:10]) == commit_id


def test_deleting_a_branch_keeps_what_a_merge_target_reaches(tmp_path):
    url = str(tmp_path / "repo")
    repo = repo_with_items(url)
    reader = Repository.open(url, create=False)
    assert len(rows(reader)) == 10
    repo.create_branch("agent")
    commit_id = commit_items(repo, "agent", [42])
    repo.merge("agent", into="main")  # a fast-forward: main's record names a commit journaled on "agent"
    assert repo.branches()["main"].commit == commit_id
    before = _files(repo)
    repo.delete_branch("agent")
    assert _files(repo) - before <= set(_packs(repo))  # main's record carried them, or a pack holds them
    assert not _object_file(repo, commit_id).exists()
    fresh = Repository.open(url, create=False)
    assert 42 in {row["id"] for row in rows(fresh)}
    assert 42 in {row["id"] for row in rows(reader)}  # it had read the journal before it went


def test_a_checkpoint_packs_the_journals_objects(tmp_path):
    url = str(tmp_path / "repo")
    repo = repo_with_items(url)
    commits = [commit_items(repo, "main", [100 + i]) for i in range(3)]
    reader = Repository.open(url, create=False)
    assert len(rows(reader)) == 13
    assert repo.storage.prune_versions(0) >= 3
    assert len(_packs(repo)) == 1 and not any(_object_file(repo, c).exists() for c in commits)
    assert [c for c, _ in reader.log("main", limit=3)] == commits[::-1]
    assert len(rows(Repository.open(url, create=False))) == 13


def test_a_branch_deleted_and_created_again_is_seen_anew_by_a_reader(tmp_path):
    """The new journal may get the old one's inode number, and even its size: a reader that knew the
    old journal must still read the new one."""
    url = str(tmp_path / "repo")
    writer = repo_with_items(url)
    reader = Repository.open(url, create=False)
    for round_ in range(5):
        writer.create_branch("agent")
        assert reader.branches()["agent"].commit == writer.branches()["main"].commit
        head = commit_items(writer, "agent", [1000 + round_])
        assert reader.branches()["agent"].commit == head
        assert 1000 + round_ in {row["id"] for row in rows(reader, "agent")}
        writer.delete_branch("agent")
        assert "agent" not in reader.branches()


def test_an_engine_that_opens_files_by_path_gets_a_held_file_written_out(tmp_path):
    repo = repo_with_items(str(tmp_path / "repo"))
    commit_items(repo, "main", [100])
    (entry,) = [e for e in repo.snapshot("main").manifest("items").files if e.rows == 1]
    assert repo.storage.held(entry.path) is not None
    path = Path(repo.storage.uri(entry.path))
    assert repo.storage.held(entry.path) is None
    assert path.suffix == ".arrow"  # a statement's one row (FORMAT.md, *Data file*)
    assert pa.ipc.open_file(path).read_all().column("id").to_pylist() == [100]


def test_sql_in_another_process_reads_held_files_of_a_big_table(tmp_path):
    """A big table is scanned by DataFusion file by file: its Parquet files from disk, and the small
    Arrow files of the statements since from the journal that holds them, writing no file."""
    url = str(tmp_path / "repo")
    with agentlake.connect(url) as db:
        db.execute("CREATE TABLE big (id bigint PRIMARY KEY, v int)")
        db.load_arrow(
            "big", pa.table({"id": pa.array(range(100_000), pa.int64()), "v": pa.array([1] * 100_000, pa.int32())})
        )
        before = _files(Repository.open(url, create=False))
        db.execute("INSERT INTO big VALUES (100000, 5), (100001, 7)")
        db.execute("UPDATE big SET v = 2 WHERE id = 0")
        assert _files(Repository.open(url, create=False)) == before
    script = "import sys, agentlake; print(agentlake.connect(sys.argv[1]).execute('SELECT sum(v), count(*) FROM big WHERE v > 0').fetchall())"
    out = subprocess.run([sys.executable, "-c", script, url], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"[({100_000 - 1 + 2 + 5 + 7}, 100002)]"


def test_a_journal_deleted_between_its_listing_and_its_read_names_no_ref(tmp_path, monkeypatch):
    """Another process deletes a branch while this one reads every journal (as it does on a miss)."""
    url = str(tmp_path / "repo")
    writer = repo_with_items(url)
    writer.create_branch("agent")
    reader = Repository.open(url, create=False)
    assert set(reader.branches()) == {"main", "agent"}
    commit_items(writer, "agent", [50])  # the reader's view of the journal is stale: it will read it again
    deleted = []
    listed = local.LocalStorage._journals

    def list_then_delete(self, kind):
        entries = listed(self, kind)
        if kind == "heads" and not deleted:
            deleted.append(kind)
            writer.delete_branch("agent")
        return entries

    monkeypatch.setattr(local.LocalStorage, "_journals", list_then_delete)
    assert set(reader.branches()) == {"main"}
    assert deleted
