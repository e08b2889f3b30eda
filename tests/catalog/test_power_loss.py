"""A power loss takes what was written without fsync; an acknowledged ``full`` commit must survive it.

On local disk a commit's objects are written without fsync and their bytes ride in the committing
branch's journal record (FORMAT.md, *Refs*). The loss is simulated by emptying the files a commit
wrote (all of them were written without fsync), or, where several journals are involved, by tracing
every write and sync and taking away all that was not synced (benchmarks/power_loss.py); then the
repository is opened afresh, as a process would after the reboot.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from catalog_helpers import ITEMS, commit_items, repo_with_items, rows

from benchmarks.power_loss import lose_unsynced_writes, record_epoch_start, trace_local_storage
from catalog import Repository
from catalog.storage import local


def _files(url: str) -> set[Path]:
    return {p for folder in ("objects", "data") for p in Path(url, folder).rglob("*") if p.is_file()}


def _commit(repo: Repository, branch: str, ids: list[int]) -> set[Path]:
    """Commit rows on ``branch``; return the object and data files the commit wrote."""
    before = _files(repo.storage.root)
    commit_items(repo, branch, ids)
    return _files(repo.storage.root) - before


def _lose(paths: set[Path]) -> None:
    for path in paths:
        os.truncate(path, 0)


@pytest.mark.parametrize("main_moved", [True, False], ids=["three-way", "fast-forward"])
def test_a_merge_survives_power_loss_of_the_source_branch_s_objects(repo_url, main_moved):
    repo = repo_with_items(repo_url, n=2)
    repo.create_branch("b")
    unsynced = _commit(repo, "b", [10, 11])  # their bytes are journaled in b's journal only
    if main_moved:
        _commit(repo, "main", [20])
    repo.merge("b", "main")
    _lose(unsynced)
    after = Repository.open(repo_url, create=False)
    assert [r["id"] for r in rows(after)] == [0, 1, 10, 11] + ([20] if main_moved else [])


def test_a_full_commit_after_a_relaxed_one_survives_power_loss(repo_url):
    """The full commit's fdatasync makes the relaxed commit's journal record durable too, so that record
    must carry its objects as a full one does (PostgreSQL's synchronous_commit=off is flushed the same
    way by the next synchronous commit)."""
    repo = repo_with_items(repo_url, n=2)
    relaxed = Repository.open(repo_url, create=False, durability="relaxed")
    unsynced = _commit(relaxed, "main", [10])
    _commit(repo, "main", [20])  # acknowledged as durable
    _lose(unsynced)
    assert [r["id"] for r in rows(Repository.open(repo_url, create=False))] == [0, 1, 10, 20]


def test_a_relaxed_commit_whose_record_reached_the_disk_before_its_files_reads_after_power_loss(repo_url):
    """Without fsync the disk may keep the journal's new record and not the files it names: a relaxed
    commit may be lost to a power loss, but must never leave its branch unreadable."""
    repo_with_items(repo_url, n=2)
    relaxed = Repository.open(repo_url, create=False, durability="relaxed")
    _lose(_commit(relaxed, "main", [10]))
    assert [r["id"] for r in rows(Repository.open(repo_url, create=False))] == [0, 1, 10]


@pytest.mark.parametrize("left", ["empty", "torn"])
def test_a_branch_whose_creation_a_power_loss_cut_short_can_be_created_again(repo_url, left):
    repo = repo_with_items(repo_url, n=1)
    repo.create_branch("agent-7")  # lazy: the journal (FORMAT.md, refs/heads/<name>) is synced by the first commit
    journal = Path(repo_url, "refs", "heads", "agent-7")
    os.truncate(journal, 0 if left == "empty" else journal.stat().st_size // 2)
    after = Repository.open(repo_url, create=False)
    assert "agent-7" not in after.branches()
    after.create_branch("agent-7")
    _commit(after, "agent-7", [5])
    assert [r["id"] for r in rows(Repository.open(repo_url, create=False), "agent-7")] == [0, 5]


@pytest.fixture
def power_loss(repo_url, tmp_path, monkeypatch):
    """``power_loss.begin()`` traces what ``catalog.storage.local`` makes durable from then on
    (benchmarks/power_loss.py; what is on disk by then counts as durable) and opens the repository anew
    (a repository opened before keeps untraced descriptors); ``power_loss.strike()`` takes away the rest."""
    return _PowerLoss(repo_url, str(tmp_path / "epoch"), monkeypatch)


class _PowerLoss:
    def __init__(self, root: str, epoch: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root, self.epoch, self.monkeypatch = root, epoch, monkeypatch

    def begin(self) -> Repository:
        record_epoch_start(self.root, self.epoch)
        self.monkeypatch.setattr(local, "os", os)  # the tracing is undone after the test
        self.monkeypatch.setattr(local, "open", open, raising=False)
        self.monkeypatch.setattr(local, "syncfs", local.syncfs)
        trace_local_storage(self.root, self.epoch)
        return Repository.open(self.root, create=False)

    def strike(self, keep: tuple[str, ...] = ()) -> None:
        """The harshest power loss: every byte and name not synced goes, but for the files in ``keep``
        (a disk may keep any unsynced write)."""
        kept = {rel: Path(self.root, rel).read_bytes() for rel in keep}
        lose_unsynced_writes(self.root, self.epoch, _Harshest())
        for rel, data in kept.items():
            Path(self.root, rel).write_bytes(data)


class _Harshest:
    """Stands in for the power loss's random choices: an unsynced name is lost, a file is cut to what
    was synced."""

    def random(self) -> float:
        return 0.0

    def randint(self, low: int, _high: int) -> int:
        return low


def _relaxed(repo_url: str) -> Repository:
    return Repository.open(repo_url, create=False, durability="relaxed")


@pytest.mark.parametrize("main_moved", [True, False], ids=["three-way", "fast-forward"])
def test_a_full_merge_of_relaxed_commits_survives_power_loss(repo_url, power_loss, main_moved):
    repo_with_items(repo_url, n=2)
    repo = power_loss.begin()
    repo.create_branch("b")
    _commit(repo, "b", [5])
    _commit(_relaxed(repo_url), "b", [10])  # journaled in b's journal only, not synced
    if main_moved:
        _commit(repo, "main", [20])
    repo.merge("b", "main")  # acknowledged as durable
    power_loss.strike()
    after = Repository.open(repo_url, create=False)
    assert [r["id"] for r in rows(after)] == [0, 1, 5, 10] + ([20] if main_moved else [])


def test_a_full_commit_after_a_relaxed_merge_survives_power_loss(repo_url, power_loss):
    """The full commit's fdatasync makes main's relaxed merge record durable: what that record points at
    (b's relaxed commits, in b's journal) must be durable too."""
    repo_with_items(repo_url, n=2)
    repo = power_loss.begin()
    relaxed = _relaxed(repo_url)
    relaxed.create_branch("b")  # lazily: neither its journal nor its name is synced
    _commit(relaxed, "b", [10])
    _commit(repo, "main", [20])
    relaxed.merge("b", "main")
    _commit(repo, "main", [30])  # acknowledged as durable
    power_loss.strike()
    assert [r["id"] for r in rows(Repository.open(repo_url, create=False))] == [0, 1, 10, 20, 30]


def test_a_relaxed_merge_whose_record_reaches_the_disk_reads_after_power_loss(repo_url, power_loss):
    """A relaxed merge may be lost, but the disk may also keep its record and not the source's: the
    target must read either way."""
    _commit(repo_with_items(repo_url, n=2), "main", [20])
    power_loss.begin()
    relaxed = _relaxed(repo_url)
    relaxed.create_branch("b")
    _commit(relaxed, "b", [10])
    relaxed.merge("b", "main")
    power_loss.strike(keep=("refs/heads/main",))
    assert [r["id"] for r in rows(Repository.open(repo_url, create=False))] == [0, 1, 10, 20]


@pytest.mark.parametrize("source", ["branch", "commit id"])
def test_a_branch_created_from_relaxed_commits_survives_power_loss(repo_url, power_loss, source):
    repo_with_items(repo_url, n=2)
    repo = power_loss.begin()
    relaxed = _relaxed(repo_url)
    relaxed.create_branch("b")
    _commit(relaxed, "b", [10])
    repo.create_branch("c", from_="b" if source == "branch" else repo.head("b"))
    _commit(repo, "c", [30])  # acknowledged as durable, with c's creation
    power_loss.strike()
    assert [r["id"] for r in rows(Repository.open(repo_url, create=False), "c")] == [0, 1, 10, 30]


def test_a_tag_of_relaxed_commits_survives_power_loss(repo_url, power_loss):
    repo_with_items(repo_url, n=2)
    power_loss.begin()
    relaxed = _relaxed(repo_url)
    _commit(relaxed, "main", [10])
    relaxed.create_tag("v1", "main")  # tags are created durably
    power_loss.strike()
    assert [r["id"] for r in rows(Repository.open(repo_url, create=False), "v1")] == [0, 1, 10]


def test_a_relaxed_commit_of_a_data_file_too_big_for_its_record_reads_after_power_loss(repo_url, power_loss):
    """Files over 1 MiB do not ride in the journal record: they are synced before it is written."""
    repo_with_items(repo_url, n=0)
    rng = np.random.default_rng(0)
    ids = np.arange(100_000)
    names = [f"{v:016x}" for v in rng.integers(0, 2**62, len(ids))]  # random: parquet cannot shrink them
    big = pa.table({"id": ids, "name": names, "qty": ids}, schema=ITEMS)
    power_loss.begin()
    tx = _relaxed(repo_url).begin("main")
    tx.append("items", big)
    tx.commit("big")
    assert max(p.stat().st_size for p in Path(repo_url, "data").rglob("*") if p.is_file()) > 1 << 20
    power_loss.strike(keep=("refs/heads/main",))
    assert Repository.open(repo_url, create=False).snapshot("main").read("items").num_rows == len(ids)


@pytest.mark.parametrize("durability", ["full", "relaxed"])
@pytest.mark.parametrize("main_moved", [True, False], ids=["three-way", "fast-forward"])
def test_a_merged_branch_deleted_before_a_power_loss_leaves_its_rows_and_history_in_main(
    repo_url, power_loss, durability, main_moved
):
    """Deleting a branch deletes the journal its objects were restored from (FORMAT.md, *Refs*): what
    main reaches through the merge must be durable by then, every commit of the branch included."""
    repo_with_items(repo_url, n=2)
    repo = power_loss.begin()
    writer = Repository.open(repo_url, create=False, durability=durability)
    writer.create_branch("agent")
    for ids in ([10], [11, 12], [13]):
        _commit(writer, "agent", ids)
    if main_moved:
        _commit(repo, "main", [20])
    repo.merge("agent", "main")
    repo.delete_branch("agent")
    power_loss.strike()
    after = Repository.open(repo_url, create=False)
    assert "agent" not in after.branches()
    assert [r["id"] for r in rows(after)] == [0, 1, 10, 11, 12, 13] + ([20] if main_moved else [])
    assert {"rows [10]", "rows [11, 12]", "rows [13]"} <= _history_read_whole(after, "main")


def _history_read_whole(repo: Repository, ref: str) -> set[str]:
    """The messages of every commit ``ref`` reaches through all parents, each commit's tables read."""
    seen, pending = set(), [repo.head(ref)]
    while pending:
        commit_id = pending.pop()
        if commit_id not in seen:
            seen.add(commit_id)
            pending.extend(repo.commit(commit_id).parents)
            snapshot = repo.snapshot_at(commit_id)
            for table in snapshot.tables:
                snapshot.read(table)
    return {repo.commit(commit_id).message for commit_id in seen}


def test_a_branch_created_from_a_deleted_one_keeps_its_rows_after_a_power_loss(repo_url, power_loss):
    repo_with_items(repo_url, n=2)
    repo = power_loss.begin()
    relaxed = _relaxed(repo_url)
    relaxed.create_branch("b")
    _commit(relaxed, "b", [10])
    _commit(relaxed, "b", [11])
    repo.create_branch("c", from_="b")
    repo.delete_branch("b")
    _commit(repo, "c", [30])
    power_loss.strike()
    assert [r["id"] for r in rows(Repository.open(repo_url, create=False), "c")] == [0, 1, 10, 11, 30]
