"""A repository: many tables, versioned together by branches, tags and commits."""

from __future__ import annotations

import functools
import json
import os
import threading
import time
from collections import OrderedDict
from datetime import datetime
from typing import Callable, Iterator

from .ancestry import Ancestry
from .compaction import CompactionPolicy, compact
from .compactor import Compactor
from .datafiles import FileReader
from .diff import diff
from .errors import DataCorrupted, ProtectedRef, RefExists, RefNotFound, StorageError, UnsupportedFormat
from .gc import DEFAULT_GRACE_SECONDS, GCReferences, GCReport, gc
from .jobs import JobQueue, publisher
from .merge import merge
from .names import validate_ref_name
from .objects import ARROW_FILES_VERSION, FORMAT_VERSION, Commit, DataFile, Manifest, object_path
from .snapshot import Snapshot
from .storage import RefState, Storage, open_storage
from .storage.base import dumps
from .transaction import Transaction

CONFIG_PATH = "agentlake.json"
DEFAULT_BRANCH = "main"
PROTECTED_BRANCHES = frozenset({DEFAULT_BRANCH})
ROWID_BLOCK = 1 << 16
DURABILITY_MODES = ("full", "relaxed")

FileHook = Callable[["Repository", str, str, Manifest, list[DataFile]], None]


def resolve_url(repo: str | os.PathLike) -> str:
    """A bare name means a folder under $AGENTLAKE_HOME (default ~/.agentlake); a path object is its text."""
    repo = os.fspath(repo)
    if "://" in repo or os.sep in repo or repo.startswith((".", "~")):
        return repo
    home = os.environ.get("AGENTLAKE_HOME", os.path.join(os.path.expanduser("~"), ".agentlake"))
    return os.path.join(home, repo)


class Repository:
    """Open with :meth:`open`; one instance can be shared by threads of a process."""

    def __init__(self, storage: Storage, config: dict, durability: str = "full") -> None:
        if durability not in DURABILITY_MODES:
            raise ValueError(f"durability must be one of {DURABILITY_MODES}")
        self.storage = storage
        self.config = config
        self.durability = durability
        self.files = FileReader(storage)
        self._objects: OrderedDict[str, object] = OrderedDict()
        self._objects_lock = threading.Lock()
        self._rowids = (0, 0)
        self._rowid_lock = threading.Lock()
        self.ancestry = Ancestry(self.commit)
        self._durable_ids: set[str] = set()
        """Commit ids named by id that this process made durable (``resolve_durably``)."""
        self.compaction = CompactionPolicy()
        self.compactor = Compactor(self)
        self.jobs = JobQueue(publish=publisher(storage))
        """Post-commit work (file hooks, compaction) and its record; see :mod:`catalog.jobs`."""
        self._file_hooks: dict[FileHook, tuple[str, Callable[[Manifest], bool]]] = {}
        self.gc_references: dict[str, GCReferences] = {}
        """Per storage prefix, what names the objects there that live data files use (see :meth:`add_gc_references`)."""

    def add_file_hook(
        self, hook: FileHook, kind: str = "file hook", wanted: Callable[[Manifest], bool] = lambda manifest: True
    ) -> None:
        """Call ``hook(repo, branch, table, manifest, files)`` after each commit that adds data files
        to a table whose manifest it is ``wanted`` for, as a job of ``kind`` on :attr:`jobs`.

        Index builders use it: indexes belong to data files, so they are built after the
        commit, off its path; a failing build is retried and recorded, never raised into the
        commit. Hooks belong to this Repository object, so what runs after a commit depends on
        how the repository was opened, never on what a process imported.
        """
        self._file_hooks.setdefault(hook, (kind, wanted))

    def add_gc_references(self, prefix: str, references: "GCReferences") -> None:
        """Let GC sweep ``prefix``: objects there that no reachable data file names are removed,
        once older than the grace period, like unreachable data files. ``references(repo, files)``
        answers the paths that the reachable ``(DataFile, Manifest)`` pairs name (the engine's
        media blobs). Objects there may be written again with the same content; GC takes a
        rewrite's time as the object's age."""
        self.gc_references.setdefault(prefix, references)

    @property
    def compaction_threshold(self) -> int:
        """How many files a table may have before its small ones are folded (see :class:`CompactionPolicy`)."""
        return self.compaction.max_files

    @property
    def arrow_data_files(self) -> bool:
        """Whether a statement's few rows are written as an Arrow IPC file (FORMAT.md, *Versions*):
        in a repository of an older format they stay Parquet, which the agentlake that created it reads."""
        return self.config.get("format_version", 0) >= ARROW_FILES_VERSION

    # opening -----------------------------------------------------------
    @classmethod
    def open(
        cls, repo: str, *, create: bool = True, durability: str = "full", storage_options: dict | None = None
    ) -> "Repository":
        url = resolve_url(repo)
        storage = open_storage(url, storage_options)
        try:
            config = json.loads(storage.read(CONFIG_PATH))
        except StorageError:
            if not create:
                raise RefNotFound(f"no agentlake repository at {url}", sqlstate="3D000") from None
            return cls._init(storage, durability)
        except ValueError as err:
            raise DataCorrupted.unreadable(storage.uri(CONFIG_PATH), err) from None
        if not isinstance(config, dict):
            raise DataCorrupted.unreadable(storage.uri(CONFIG_PATH), ValueError("not a JSON object"))
        if config.get("format_version", 0) > FORMAT_VERSION:
            raise UnsupportedFormat(
                f"repository at {url} uses format version {config['format_version']}; this agentlake "
                f"reads up to version {FORMAT_VERSION}: upgrade agentlake"
            )
        return cls(storage, config, durability)

    @classmethod
    def _init(cls, storage: Storage, durability: str) -> "Repository":
        config = {"format_version": FORMAT_VERSION, "created": time.time(), "default_branch": DEFAULT_BRANCH}
        repo = cls(storage, config, durability)
        root = Commit((), {}, "agentlake", "initialize repository", config["created"], generation=1)
        commit_id, payload = root.encoded
        storage.write(object_path(commit_id), payload, durable=True)
        try:
            storage.ref_create("heads", DEFAULT_BRANCH, RefState(commit_id, time.time()), durable=True)
        except RefExists:
            pass  # another process initialized it first
        storage.write(CONFIG_PATH, dumps(config), durable=True)
        return repo

    # objects -----------------------------------------------------------
    def _load(self, object_id: str, kind):
        with self._objects_lock:
            cached = self._objects.get(object_id)
            if cached is not None:
                self._objects.move_to_end(object_id)
                return cached
        try:
            payload = self.storage.read(object_path(object_id))
            obj = kind.decode(payload)
        except StorageError:
            raise RefNotFound(f"commit or manifest {object_id} does not exist") from None
        except (ValueError, KeyError, TypeError, AttributeError) as err:  # bad JSON, base64, schema or shape
            raise DataCorrupted.unreadable(self.storage.uri(object_path(object_id)), err) from None
        # its id and bytes are known: comparing it to another (is a table unchanged?) or writing it
        # again must not encode it anew, which for a table of many files costs milliseconds
        obj.__dict__["encoded"] = (object_id, payload)
        self._cache_object(object_id, obj)
        return obj

    def _cache_object(self, object_id: str, obj) -> None:
        with self._objects_lock:
            self._objects[object_id] = obj
            while len(self._objects) > 8192:
                self._objects.popitem(last=False)

    def has_object(self, object_id: str) -> bool:
        with self._objects_lock:
            return object_id in self._objects

    def commit(self, commit_id: str) -> Commit:
        return self._load(commit_id, Commit)

    def manifest(self, manifest_id: str) -> Manifest:
        return self._load(manifest_id, Manifest)

    def remember(self, commit_id: str, commit: Commit, tables: dict[str, Manifest]) -> None:
        """Cache what a commit of this process wrote, so the next read needs no I/O."""
        self._cache_object(commit_id, commit)
        self.ancestry.note(commit_id, commit)
        for name, manifest in tables.items():
            self._cache_object(commit.tables[name], manifest)

    # refs --------------------------------------------------------------
    def head(self, branch: str) -> str:
        state = self.storage.ref_get("heads", branch)
        if state is None:
            raise RefNotFound(f'branch "{branch}" does not exist')
        return state.commit

    def resolve(self, ref: str, as_of: datetime | float | None = None) -> str:
        """A branch, tag, commit id or unique id prefix -> commit id; ``as_of`` travels back in time."""
        commit_id = self._resolve_name(ref)
        if as_of is None:
            return commit_id
        cutoff = as_of.timestamp() if isinstance(as_of, datetime) else float(as_of)
        for cid, commit in self.log(commit_id):
            if commit.time <= cutoff:
                return cid
        raise RefNotFound(f"{ref!r} has no commit at or before {as_of}")

    def resolve_durably(self, ref: str) -> str:
        """:meth:`resolve` for a commit another ref is about to record (a merge, a new branch or tag).

        The ref's journal is made durable first, ``relaxed`` commits included: otherwise a ``full``
        record pointing at them would survive a power loss that takes them (FORMAT.md, *Durability
        modes*). A commit id names no ref, so every ref is synced, once per commit id and process: a
        synced journal stays durable (it is only appended to, and checkpoints fsync what they rewrite),
        and a batch that branches every episode from one base commit would otherwise sync every ref
        of the repository per episode.
        """
        commit_id, kind = self._lookup(ref)
        if kind is None:
            if commit_id not in self._durable_ids:
                self.storage.ref_sync_all()
                self._durable_ids.add(commit_id)
        else:
            self.storage.ref_sync(kind, ref)
        return commit_id

    def _resolve_name(self, ref: str) -> str:
        return self._lookup(ref)[0]

    def _lookup(self, ref: str) -> tuple[str, str | None]:
        """The commit id ``ref`` names, and the kind of ref that named it (None for a commit id)."""
        if not isinstance(ref, str) or not ref:
            raise RefNotFound("empty ref")
        for kind in ("heads", "tags"):
            try:
                state = self.storage.ref_get(kind, ref)
            except (OSError, ValueError):
                state = None
            if state is not None:
                return state.commit, kind
        if all(c in "0123456789abcdef" for c in ref) and 6 <= len(ref) <= 32:
            if len(ref) == 32:
                self.commit(ref)
                return ref, None
            matches = [p for p, _ in self.storage.walk(f"objects/{ref[:2]}") if os.path.basename(p).startswith(ref[2:])]
            if len(matches) == 1:
                candidate = ref[:2] + os.path.basename(matches[0])[:-5]
                self.commit(candidate)
                return candidate, None
        raise RefNotFound(f'branch, tag or commit "{ref}" does not exist')

    def create_branch(
        self, name: str, from_: str = DEFAULT_BRANCH, ttl: float | None = None, exist_ok: bool = False
    ) -> RefState:
        """A new branch is one small ref object; no data is copied."""
        validate_ref_name(name)
        commit_id = self.resolve_durably(from_)
        now = time.time()
        state = RefState(commit_id, now, now + ttl if ttl else None)
        try:
            self.storage.ref_create("heads", name, state, durable=False)
        except RefExists:
            if exist_ok:
                return self.storage.ref_get("heads", name)
            raise
        return state

    def set_ttl(self, name: str, ttl: float | None) -> RefState:
        """Give a branch a time-to-live (GC deletes it after), or take it away with None."""
        while True:
            state = self.storage.ref_get("heads", name)
            if state is None:
                raise RefNotFound(f'branch "{name}" does not exist')
            new = RefState(state.commit, state.created, time.time() + ttl if ttl else None, state.meta)
            if self.storage.ref_swap("heads", name, state.commit, new, [], durable=False):
                return new

    def delete_branch(self, name: str) -> None:
        if name in PROTECTED_BRANCHES:
            raise ProtectedRef(f'branch "{name}" is protected and cannot be deleted')
        self.storage.ref_delete("heads", name)

    def branches(self) -> dict[str, RefState]:
        return self.storage.ref_list("heads")

    def create_tag(self, name: str, ref: str) -> RefState:
        validate_ref_name(name, "tag")
        state = RefState(self.resolve_durably(ref), time.time())
        self.storage.ref_create("tags", name, state, durable=True)
        return state

    def delete_tag(self, name: str) -> None:
        self.storage.ref_delete("tags", name)

    def tags(self) -> dict[str, RefState]:
        return self.storage.ref_list("tags")

    # reading -----------------------------------------------------------
    def snapshot(self, ref: str = DEFAULT_BRANCH, as_of: datetime | float | None = None) -> Snapshot:
        return self.snapshot_at(self.resolve(ref, as_of))

    def snapshot_at(self, commit_id: str) -> Snapshot:
        """The snapshot of a commit id, with no ref lookup (merges and transactions hold ids)."""
        commit = self.commit(commit_id)
        tables = {name: self.manifest(mid) for name, mid in commit.tables.items()}
        return Snapshot(
            self,
            commit_id,
            tables,
            dict(commit.views),
            commit,
            dict(commit.extensions),
            dict(commit.types),
            dict(commit.sequences),
        )

    def log(
        self, ref: str = DEFAULT_BRANCH, limit: int | None = None, after: str | None = None
    ) -> Iterator[tuple[str, Commit]]:
        """Commits reachable by first parents, newest first, loaded one at a time as they are consumed.

        Paged: ``limit`` commits, continuing below commit ``after`` (the last one of the previous
        page) when given; a page costs ``limit`` object reads however long the history is.
        """
        commit_id = self._resolve_name(ref) if len(ref) != 32 else ref
        if after is not None:
            parents = self.commit(after).parents
            commit_id = parents[0] if parents else None
        count = 0
        while commit_id and (limit is None or count < limit):
            commit = self.commit(commit_id)
            yield commit_id, commit
            count += 1
            commit_id = commit.parents[0] if commit.parents else None

    def diff(self, a: str, b: str):
        """Per-table row changes taking ref ``a`` to ref ``b`` (see :mod:`catalog.diff`)."""
        return diff(self, a, b)

    def merge(
        self,
        source: str,
        into: str = DEFAULT_BRANCH,
        strategy: str = "fail",
        author: str = "",
        message: str | None = None,
    ) -> str:
        """Three-way merge of ``source`` into branch ``into`` (see :mod:`catalog.merge`)."""
        return merge(self, source, into, strategy, author, message)

    def compact(self, branch: str = DEFAULT_BRANCH, tables: list[str] | None = None) -> dict:
        """Rewrite small or mostly-deleted files of a branch's tables (readers see no change)."""
        return compact(self, branch, tables)

    def gc(self, grace: float = DEFAULT_GRACE_SECONDS, dry_run: bool = False) -> GCReport:
        """Remove expired branches and objects unreachable for longer than ``grace`` seconds."""
        return gc(self, grace=grace, dry_run=dry_run)

    # writing -----------------------------------------------------------
    def begin(self, branch: str = DEFAULT_BRANCH) -> Transaction:
        return Transaction(self, branch, self.head(branch))

    def allocate_rowids(self, count: int) -> int:
        """Rowids are unique across the whole repository, handed out in blocks per process."""
        with self._rowid_lock:
            start, end = self._rowids
            if end - start < count:
                block = max(ROWID_BLOCK, count)
                start = self.storage.allocate("rowid", block)
                end = start + block
            self._rowids = (start + count, end)
            return start

    def nextval(self, sequence: str, count: int = 1) -> int:
        """Repository-wide sequences: two branches never hand out the same value."""
        return self.storage.allocate(f"seq.{sequence}", count)

    def after_commit(
        self, branch: str, commit_id: str, tables: dict[str, Manifest], new_files: dict[str, list[DataFile]]
    ) -> None:
        """The ref swapped: queue the follow-up work and return (nothing here may raise into the commit)."""
        for name, files in new_files.items():
            if name in tables and files:
                for hook, (kind, wanted) in list(self._file_hooks.items()):
                    if wanted(tables[name]):
                        self.jobs.submit(
                            kind,
                            f"{branch}: {name} ({len(files)} file{'s' * (len(files) != 1)})",
                            functools.partial(hook, self, branch, name, tables[name], files),
                        )
        self.changed(branch)

    def changed(self, branch: str) -> None:
        """A commit or merge moved ``branch``: compaction looks at it in the background."""
        if self.compaction.enabled:
            self.compactor.notify(branch)
