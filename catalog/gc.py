"""Garbage collection: expired ephemeral branches, superseded ref versions, then unreachable objects.

Writers put data files and metadata in place before the ref swap that makes
them reachable, so an object that nothing references may belong to a commit in
flight. GC therefore removes an unreachable object only once it is older than a
grace period, which must exceed the longest transaction.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable

from .errors import CatalogError, RefNotFound

if TYPE_CHECKING:
    from .objects import DataFile, Manifest
    from .repository import Repository

GCReferences = Callable[["Repository", "Iterable[tuple[DataFile, Manifest]]"], set[str]]
"""What the reachable data files (each with its manifest) name under one storage prefix."""

DEFAULT_GRACE_SECONDS = 3600.0


@dataclass
class GCReport:
    """What one GC run removed (or, with ``dry_run``, would remove)."""

    branches: list[str] = field(default_factory=list)
    commits: int = 0
    manifests: int = 0
    data_files: int = 0
    index_files: int = 0
    referenced_objects: int = 0
    """Objects under prefixes swept through Repository.add_gc_references (media blobs)."""
    temp_files: int = 0
    ref_versions: int = 0
    bytes: int = 0
    kept_in_grace: int = 0
    dry_run: bool = False


def expired_branches(repo: "Repository", now: float) -> list[str]:
    from .repository import PROTECTED_BRANCHES

    return sorted(
        name
        for name, state in repo.branches().items()
        if state.expires is not None and state.expires <= now and name not in PROTECTED_BRANCHES
    )


def reachable(repo: "Repository", skip_branches: frozenset[str] = frozenset()) -> tuple[set[str], set[str], set[str]]:
    """Object ids (commits and manifests), data file paths and data file ids reachable from any ref."""
    objects, files = _walk(repo, skip_branches)
    return objects, {entry.path for entry, _ in files}, {entry.id for entry, _ in files}


def _walk(repo: "Repository", skip_branches: frozenset[str]) -> tuple[set[str], list[tuple["DataFile", "Manifest"]]]:
    """Reachable object ids, and each reachable data file with a manifest that lists it."""
    objects: set[str] = set()
    files: dict[str, tuple[DataFile, Manifest]] = {}
    stack = [state.commit for name, state in repo.branches().items() if name not in skip_branches]
    stack += [state.commit for state in repo.tags().values()]
    while stack:
        commit_id = stack.pop()
        if commit_id in objects:
            continue
        objects.add(commit_id)
        commit = repo.commit(commit_id)
        stack.extend(commit.parents)
        for manifest_id in commit.tables.values():
            if manifest_id in objects:
                continue
            objects.add(manifest_id)
            manifest = repo.manifest(manifest_id)
            for entry in manifest.files:
                files.setdefault(entry.path, (entry, manifest))
    return objects, list(files.values())


def _size(repo: "Repository", path: str) -> int:
    size = getattr(repo.storage, "size", None)
    if size is not None:
        return size(path) or 0
    try:
        return int(repo.storage.filesystem()[0].size(repo.storage.uri(path)))
    except (OSError, ValueError):
        return 0


def gc(
    repo: "Repository", grace: float = DEFAULT_GRACE_SECONDS, now: float | None = None, dry_run: bool = False
) -> GCReport:
    """Delete expired branches, ref versions and unreferenced objects older than ``grace`` seconds."""
    now = time.time() if now is None else now
    report = GCReport(dry_run=dry_run)
    for name in expired_branches(repo, now):
        if not dry_run:
            try:
                repo.delete_branch(name)
            except RefNotFound:
                continue
        report.branches.append(name)
    cutoff = now - grace
    # Object stores keep every past value of a ref; the grace period also covers a writer between
    # reading a ref and swapping it (see catalog.storage.versions).
    report.ref_versions = repo.storage.prune_versions(cutoff, dry_run=dry_run)
    objects, files = _walk(repo, frozenset(report.branches))
    paths, file_ids = {entry.path for entry, _ in files}, {entry.id for entry, _ in files}

    def sweep(prefix: str, keep, kind, rewritten: bool = False) -> None:
        doomed = []
        for path, mtime in list(repo.storage.walk(prefix)):
            path = path.replace(os.sep, "/")
            temp = path.endswith((".tmp", ".ckpt"))
            if not temp and keep(path):
                continue
            if mtime > cutoff or (rewritten and _written_since(repo, path, cutoff)):
                report.kept_in_grace += 1
                continue
            counter = "temp_files" if temp else kind(path)
            report.bytes += _size(repo, path)
            setattr(report, counter, getattr(report, counter) + 1)
            if not dry_run:
                doomed.append(path)
        if doomed:
            repo.storage.delete(*doomed)  # together: local disk rewrites each pack holding some once

    sweep("objects", lambda p: _object_id(p) in objects, lambda p: "commits" if _is_commit(repo, p) else "manifests")
    sweep("data", lambda p: p in paths, lambda p: "data_files")
    sweep("index", lambda p: os.path.basename(p).split(".", 1)[0] in file_ids, lambda p: "index_files")
    for prefix, references in list(repo.gc_references.items()):
        named = references(repo, files)
        sweep(prefix, named.__contains__, lambda p: "referenced_objects", rewritten=True)
    return report


def _written_since(repo: "Repository", path: str, cutoff: float) -> bool:
    """Looked at again just before deleting: a writer reusing the object (the same content under
    the same name, as a content-addressed blob is) rewrote it after the sweep listed it, for a
    commit that GC's reachability could not yet see."""
    folder = path.rsplit("/", 1)[0]
    return any(p.replace(os.sep, "/") == path and mtime > cutoff for p, mtime in repo.storage.walk(folder))


def _object_id(path: str) -> str:
    """objects/ab/cdef....json -> abcdef..."""
    parts = path.split("/")
    return parts[-2] + parts[-1].removesuffix(".json")


def _is_commit(repo: "Repository", path: str) -> bool:
    """Manifests carry a table id, commits do not (read only for objects about to go)."""
    try:
        return b'"table_id"' not in repo.storage.read(path)
    except CatalogError:
        return False


__all__ = ["DEFAULT_GRACE_SECONDS", "GCReport", "gc", "reachable"]
