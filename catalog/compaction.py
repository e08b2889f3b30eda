"""Compaction: fold many small files into few, dropping deleted rows.

Agents commit a row at a time and every merge brings the branch's own small
files along, with deletion vectors masking updated rows in older files; left
alone, a table becomes thousands of tiny files and reads slow down a hundredfold.
The policy is size-tiered, as in log-structured stores: files fall in tiers by
live rows (each tier ``fanout`` times the one below). A table with more than
``max_files`` files, or with more than ``deleted_share`` of its stored rows
deleted, folds its smallest tiers into one file until at most half of
``max_files`` are left (and every file over ``deleted_share`` deleted), so each
row is rewritten about log_fanout(table size) times. A branch quiet for
``settle_after`` seconds is folded further, so a table at rest reads like one
loaded at once. Small tables are left alone: a compaction is a commit others see.
A branch other than main folds only the files it wrote since it forked (see
:func:`inherited_files`): an agent's branch leaves main's files to main.

Rowids are kept, so deletes that land while a compaction runs still apply to
the rewritten rows, and readers see exactly the same rows before and after.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from .errors import ConflictError
from .objects import ROWID, DataFile

if TYPE_CHECKING:
    from .repository import Repository

TARGET_FILE_ROWS = 1024 * 1024
ON_DEMAND_ATTEMPTS = 5
LOCK_SLOTS = 64  # branches share this many compaction locks (a lock file each), by hash of their name


@dataclass
class CompactionPolicy:
    """When compaction runs and what it folds; one per repository, changeable at run time.

    Small tables are left alone (a compaction is a commit that others see in the log); the
    thresholds only bite once files or deleted rows cost reads something.
    """

    max_files: int = 16  # more files than this triggers folding the smallest tiers
    fanout: int = 8  # each tier holds files ``fanout`` times bigger than the one below
    deleted_share: float = 0.2  # of a table's stored rows (or of one file's), deleted
    min_deleted_rows: int = 256  # fewer deleted rows than this never trigger anything
    settle_after: float = 2.0  # seconds a branch must be quiet before it is folded further
    settle_files: int = 4  # at rest, this many files or more are folded into one
    settle_deleted_share: float = 0.05
    enabled: bool = True

    def tier(self, f: DataFile) -> int:
        return int(math.log(max(f.live_rows, 1), self.fanout))

    def may_fold(self, files: tuple[DataFile, ...], settle: bool = False) -> bool:
        """Whether :meth:`plan` may pick any of ``files``, or of any subset of them: False when they
        are too few and too little deleted. A branch's compaction check asks this of all its files
        before finding which are its own (that takes a merge base with the default branch)."""
        return self._crowded(files, settle) or sum(len(f.deleted) for f in files) >= self.min_deleted_rows

    def _crowded(self, files: tuple[DataFile, ...], settle: bool) -> bool:
        live = sum(1 for f in files if f.live_rows)
        return live >= self.settle_files if settle else live > self.max_files

    def plan(self, files: tuple[DataFile, ...], settle: bool = False) -> list[DataFile]:
        """The files to fold into one now (empty: nothing worth doing)."""
        live = [f for f in files if f.live_rows]
        stored, deleted = sum(f.rows for f in files), sum(len(f.deleted) for f in files)
        share = self.settle_deleted_share if settle else self.deleted_share
        if not self._crowded(files, settle) and not (deleted >= self.min_deleted_rows and deleted > share * stored):
            return []
        dirty = {f.id for f in files if f.rows and len(f.deleted) / f.rows > share}
        counts = Counter(self.tier(f) for f in live if f.live_rows < TARGET_FILE_ROWS)
        keep = 1 if settle else self.max_files // 2
        top, folded = -1, 0
        while counts and top < max(counts) and len(live) - folded + (folded > 0) > keep:
            top += 1  # fold the smallest tiers until few files are left
            folded += counts.get(top, 0)
        picked = [
            f
            for f in files
            if not f.live_rows or f.id in dirty or (self.tier(f) <= top and f.live_rows < TARGET_FILE_ROWS)
        ]
        worth = len(picked) >= 2 or any(len(f.deleted) for f in picked)
        return picked if worth else []


def maybe_compact(repo: "Repository", branch: str, settle: bool = False) -> bool:
    """Compact the branch's tables that the policy picks; False if the branch moved under it, or if
    another process is compacting it (every process that merges into main is told main changed: one
    folds, and the others look again once it is done instead of folding the same files)."""
    policy = repo.compaction
    if not any(policy.may_fold(manifest.files, settle) for manifest in repo.snapshot(branch).tables.values()):
        return True  # an agent's branch of a few commits: nothing of it, nor of main's, to fold
    with repo.storage.try_exclusive(f"compaction.{zlib.crc32(branch.encode()) % LOCK_SLOTS}") as alone:
        if not alone:
            return False
        snapshot = repo.snapshot(branch)
        inherited = inherited_files(repo, branch)
        for name, manifest in snapshot.tables.items():
            if policy.plan(_own(manifest.files, inherited), settle):
                try:
                    with repo.jobs.track("compaction", f"{branch}: {name}"):  # visible in agentlake.jobs
                        compact_table(repo, branch, name, settle=settle)
                except ConflictError:
                    return False  # files it meant to fold were replaced meanwhile; try again later
        return True


def inherited_files(repo: "Repository", branch: str) -> frozenset[str]:
    """Ids of the data files a branch other than the default one had when it forked from it (at
    their merge base): those are the default branch's to compact. Folded on the branch they would be
    stored twice, and merging the branch back would compare every row they hold with the base."""
    from .repository import DEFAULT_BRANCH

    if branch == DEFAULT_BRANCH:
        return frozenset()
    ours, theirs = repo.storage.ref_get("heads", branch), repo.storage.ref_get("heads", DEFAULT_BRANCH)
    base = repo.ancestry.merge_base(ours.commit, theirs.commit) if ours and theirs else None
    if base is None:
        return frozenset()
    return frozenset(f.id for manifest in repo.snapshot_at(base).tables.values() for f in manifest.files)


def _own(files: tuple[DataFile, ...], inherited: frozenset[str]) -> tuple[DataFile, ...]:
    return tuple(f for f in files if f.id not in inherited)


def compact_table(
    repo: "Repository", branch: str, name: str, everything: bool = False, settle: bool = False
) -> tuple[int, int]:
    """Rewrite the files the policy picks (all files with ``everything``); returns (files before, after)."""
    tx = repo.begin(branch)
    manifest = tx.manifest(name)
    old = (
        list(manifest.files)
        if everything
        else repo.compaction.plan(_own(manifest.files, inherited_files(repo, branch)), settle)
    )
    if len(old) < 2 and not any(len(f.deleted) for f in old):
        return len(manifest.files), len(manifest.files)
    parts = [repo.files.read(f, manifest, with_rowid=True) for f in old if f.live_rows]
    rows = pa.concat_tables(parts) if parts else None
    if rows is not None and rows.num_rows:
        order = list(manifest.primary_key) or [ROWID]
        rows = rows.sort_by([(c, "ascending") for c in order])
    tx.replace_files(name, tuple(old), rows, TARGET_FILE_ROWS)
    tx.commit(message=f"compact {name}", author="agentlake", metadata={"compaction": True})
    after = tx.repo.snapshot(branch).tables[name].files
    return len(manifest.files), len(after)


def compact(repo: "Repository", branch: str, tables: list[str] | None = None) -> dict[str, tuple[int, int]]:
    """Compact the given tables (all by default) of a branch, on demand."""
    names = tables if tables is not None else repo.snapshot(branch).table_names()
    return {name: _compact_retrying(repo, branch, name) for name in names}


def _compact_retrying(repo: "Repository", branch: str, name: str) -> tuple[int, int]:
    """On demand, a race with the background compactor (both folding the same files) is retried
    from the new head rather than reported."""
    for _ in range(ON_DEMAND_ATTEMPTS - 1):
        try:
            return compact_table(repo, branch, name, everything=True)
        except ConflictError:
            continue
    return compact_table(repo, branch, name, everything=True)
