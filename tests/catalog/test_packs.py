"""Packs on local disk (FORMAT.md, *Refs*): a journal's objects outlive it in one synced file; GC
rewrites packs to drop garbage and folds small ones together; a file written out for an engine never
stands in for the packed copy.

Readers are separate ``Repository`` objects, each with its own storage, as separate processes have.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from catalog_helpers import commit_items, repo_with_items, rows

from catalog import Repository
from catalog.errors import DataCorrupted
from catalog.gc import gc
from catalog.objects import object_path
from catalog.storage.packs import FOLD_AT_PACKS, STALE_TEMPORARY_SECONDS

LATER = 7200.0  # GC runs as if this many seconds had passed: everything is past the default grace


def _packs(repo: Repository) -> list[Path]:
    return sorted(Path(repo.storage.root, "packs").glob("*.pack"))


def _agent_merged_and_deleted(repo: Repository, name: str, ids: list[int]) -> str:
    """An agent's branch merged into main (relaxed) and deleted: one pack, holding the branch's
    objects (a relaxed merge's record may not be on disk yet, so nothing is left to it)."""
    relaxed = Repository.open(repo.storage.root, durability="relaxed")
    relaxed.create_branch(name)
    commit_id = commit_items(relaxed, name, ids, f"{name} adds {ids}")
    relaxed.merge(name, into="main")
    relaxed.delete_branch(name)
    return commit_id


def _ids(repo: Repository, ref: str = "main") -> set[int]:
    return {row["id"] for row in rows(repo, ref)}


def test_gc_drops_garbage_from_a_pack_and_keeps_what_main_reaches(tmp_path):
    url = str(tmp_path / "repo")
    repo = repo_with_items(url)
    kept = _agent_merged_and_deleted(repo, "merged", [100])
    repo.create_branch("abandoned")
    garbage = commit_items(repo, "abandoned", [200], "never merged")
    reader = Repository.open(url, create=False)
    assert _ids(reader) == {*range(10), 100}  # the reader knows the first pack
    repo.delete_branch("abandoned")
    assert len(_packs(repo)) == 2
    report = gc(repo, now=time.time() + LATER)
    assert report.commits >= 1 and report.data_files == 1
    assert not Repository.open(url, create=False).storage.exists(object_path(garbage))
    assert reader.commit(kept).message == "merged adds [100]"  # the pack it knew is gone: it looks again
    assert _ids(reader) == _ids(Repository.open(url, create=False)) == {*range(10), 100}


def test_gc_folds_small_packs_into_one(tmp_path):
    url = str(tmp_path / "repo")
    repo = repo_with_items(url)
    for n in range(FOLD_AT_PACKS):
        _agent_merged_and_deleted(repo, f"agent{n}", [100 + n])
    assert len(_packs(repo)) == FOLD_AT_PACKS
    gc(repo, now=time.time() + LATER, dry_run=True)
    assert len(_packs(repo)) == FOLD_AT_PACKS  # a dry run rewrites nothing
    gc(repo, now=time.time() + LATER)
    assert len(_packs(repo)) == 1
    expected = {*range(10), *range(100, 100 + FOLD_AT_PACKS)}
    assert _ids(Repository.open(url, create=False)) == expected
    assert [m for _c, commit in repo.log("main") if (m := commit.message).startswith("agent")]  # history stays
    assert gc(repo, now=time.time() + LATER).commits == 0  # nothing reachable was taken


def test_a_cut_copy_written_out_for_an_engine_is_not_read(tmp_path):
    """A power loss may cut a file written out (unsynced) for an engine; the pack's copy is read, and
    the next engine that asks gets the file written again."""
    url = str(tmp_path / "repo")
    repo = repo_with_items(url)
    _agent_merged_and_deleted(repo, "agent", [100])
    (entry,) = [e for e in repo.snapshot("main").manifest("items").files if e.rows == 1]
    copy = Path(repo.storage.uri(entry.path))
    size = copy.stat().st_size
    with open(copy, "r+b") as fh:
        fh.truncate(size // 2)
    fresh = Repository.open(url, create=False)
    assert 100 in _ids(fresh)
    assert Path(fresh.storage.uri(entry.path)).stat().st_size == size


def test_gc_removes_a_pack_temporary_a_crash_left(tmp_path):
    url = str(tmp_path / "repo")
    repo = repo_with_items(url)
    _agent_merged_and_deleted(repo, "agent", [100])
    (pack,) = _packs(repo)
    left = pack.with_name(f"{pack.name}.4242.tmp")
    left.write_bytes(b"half a pack")
    old = time.time() - STALE_TEMPORARY_SECONDS - 60
    os.utime(left, (old, old))
    gc(repo)
    assert not left.exists() and pack in _packs(repo)
    assert 100 in _ids(Repository.open(url, create=False))


def test_a_damaged_pack_is_reported_as_corrupt_data(tmp_path):
    url = str(tmp_path / "repo")
    repo = repo_with_items(url)
    _agent_merged_and_deleted(repo, "agent", [100])
    (pack,) = _packs(repo)
    with open(pack, "r+b") as fh:
        fh.truncate(pack.stat().st_size - 3)
    with pytest.raises(DataCorrupted, match="could not read file") as err:
        rows(Repository.open(url, create=False))
    assert err.value.sqlstate == "XX001"


def test_a_merge_record_carries_the_sources_objects(tmp_path):
    """A merge into main carries the source's commits and data files in main's record: readers of main
    find them there, without the source's journal or the pack it left (here: removed)."""
    url = str(tmp_path / "repo")
    repo = repo_with_items(url)
    repo.create_branch("agent")
    agent_commit = commit_items(repo, "agent", [100], "agent adds 100")
    commit_items(repo, "main", [200])  # so the merge is a three-way one, with a merge commit
    merged = repo.merge("agent", into="main")
    assert repo.commit(merged).parents == (repo.commit(merged).parents[0], agent_commit)
    repo.delete_branch("agent")
    for pack in _packs(repo):
        pack.unlink()
    fresh = Repository.open(url, create=False)
    assert _ids(fresh) == {*range(10), 100, 200}
    assert fresh.commit(agent_commit).message == "agent adds 100"


def test_deleting_a_merged_branch_needs_no_pack_and_loses_nothing(tmp_path):
    """What a durable merge's record carried (the source's commits, manifests and data files) is kept
    by the target's journal: the source's deletion packs nothing, and every version stays readable."""
    url = str(tmp_path / "repo")
    repo = repo_with_items(url)
    repo.create_branch("agent")
    first = commit_items(repo, "agent", [100])
    commit_items(repo, "agent", [101])
    commit_items(repo, "main", [200])
    repo.merge("agent", into="main")
    repo.delete_branch("agent")
    assert _packs(repo) == []
    fresh = Repository.open(url, create=False)
    assert _ids(fresh) == {*range(10), 100, 101, 200}
    assert _ids(fresh, first) == {*range(10), 100}  # the agent's first commit, time-travelled to
    repo.storage.prune_versions(0)  # main's checkpoint packs what its records carried
    assert len(_packs(repo)) == 1
    assert _ids(Repository.open(url, create=False), first) == {*range(10), 100}


def test_a_relaxed_merge_leaves_the_sources_deletion_to_pack(tmp_path):
    url = str(tmp_path / "repo")
    repo_with_items(url)
    repo = Repository.open(url, durability="relaxed")
    repo.create_branch("agent")
    commit_items(repo, "agent", [100])
    commit_items(repo, "main", [200])
    repo.merge("agent", into="main")
    repo.delete_branch("agent")  # the merge's record may not be on disk yet: nothing is left to it
    assert len(_packs(repo)) == 1
    assert _ids(Repository.open(url, create=False)) == {*range(10), 100, 200}
