"""Repositories as the engine uses them: one object per URL and process, with the engine's
post-commit work attached explicitly when it is opened."""

from __future__ import annotations

import threading

from catalog import Repository, resolve_url

from ..media.blobs import BLOBS, referenced_blobs
from ..vector.index_cache import vector_indexes
from ..vector.index_ddl import index_new_files

_repositories: dict[tuple[str, str], Repository] = {}
_repositories_lock = threading.Lock()


def attach_engine_hooks(repository: Repository) -> Repository:
    """Files added by commits and compactions get their tables' vector indexes built after the
    commit, as jobs of the repository's queue (``agentlake.jobs``). Idempotent, so every path that hands the engine a repository may call it."""
    repository.add_file_hook(
        index_new_files, kind="index build", wanted=lambda manifest: bool(vector_indexes(manifest))
    )
    repository.add_gc_references(BLOBS, referenced_blobs)  # GC sweeps media blobs no live row names
    return repository


def open_repository(
    repo: str | Repository, durability: str = "full", storage_options: dict | None = None, create: bool = True
) -> Repository:
    """One Repository object per URL and process, so caches are shared by connections."""
    if isinstance(repo, Repository):
        return attach_engine_hooks(repo)
    key = (resolve_url(repo), durability)
    with _repositories_lock:
        cached = _repositories.get(key)
        if cached is None:
            cached = Repository.open(repo, create=create, durability=durability, storage_options=storage_options)
            _repositories[key] = attach_engine_hooks(cached)
        return cached
