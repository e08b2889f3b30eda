"""Compaction: fold many small files into few, dropping deleted rows.

Agents commit a row at a time; without this a table would become thousands of
one-row files. Rowids are kept, so concurrent deletes of compacted rows still
apply, and readers see exactly the same rows before and after.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from .errors import ConflictError
from .objects import ROWID, DataFile

if TYPE_CHECKING:
    from .repository import Repository

SMALL_FILE_ROWS = 64 * 1024
TARGET_FILE_ROWS = 1024 * 1024
DELETED_SHARE = 0.2


def _candidates(files: tuple[DataFile, ...], everything: bool) -> list[DataFile]:
    picked = [f for f in files if f.live_rows < SMALL_FILE_ROWS or (f.rows and len(f.deleted) / f.rows > DELETED_SHARE)]
    return list(files) if everything else picked


def maybe_compact(repo: "Repository", branch: str, commit_id: str, tables: list[str]) -> None:
    """Called after each commit: compact a table once its small files pass the threshold."""
    if not tables:
        return
    snapshot = repo.snapshot(commit_id)
    for name in tables:
        manifest = snapshot.tables.get(name)
        if manifest and len(_candidates(manifest.files, False)) > repo.compaction_threshold:
            try:
                compact_table(repo, branch, name)
            except ConflictError:
                pass  # the branch moved on; a later commit will try again


def compact_table(repo: "Repository", branch: str, name: str, everything: bool = False) -> tuple[int, int]:
    """Rewrite a table's small or mostly-deleted files; returns (files before, files after)."""
    tx = repo.begin(branch)
    manifest = tx.manifest(name)
    old = _candidates(manifest.files, everything)
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
    return {name: compact_table(repo, branch, name, everything=True) for name in names}
