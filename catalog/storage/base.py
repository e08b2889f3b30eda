"""The storage protocols the catalog is written against.

Two small interfaces: :class:`ObjectIO` stores immutable objects, :class:`RefCAS`
keeps the few mutable cells (refs, counters) and arbitrates between writers with
compare-and-swap. Two families of stores implement them with different commit
mechanics: a local disk can append to a file and fsync it once (a journal), an
object store can only create objects conditionally. :class:`Storage` is both,
chosen per URL at run time.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import ContextManager, Iterable, Iterator, Protocol
from urllib.parse import quote, unquote

REF_KINDS = ("heads", "tags")


@dataclass(frozen=True)
class RefState:
    """What a branch or tag points at, plus its lifecycle facts."""

    commit: str
    created: float
    expires: float | None = None
    meta: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "RefState":
        return cls(data["commit"], data["created"], data.get("expires"), data.get("meta") or {})


def encode_ref(name: str) -> str:
    """Flatten a ref name into one path segment, so 'a' and 'a/b' never collide."""
    return quote(name, safe="")


def decode_ref(segment: str) -> str:
    return unquote(segment)


def dumps(obj) -> bytes:
    return dumps_text(obj).encode()


def dumps_text(obj) -> str:
    """The canonical JSON text of catalog objects (compact, keys sorted): their ids hash it."""
    return json.dumps(obj, separators=(",", ":"), sort_keys=True)


class ObjectIO(Protocol):
    """Immutable objects: once a path is written its bytes never change (temporaries aside)."""

    url: str

    def read(self, path: str) -> bytes:
        """Get an object; StorageError if it is missing."""

    def write(self, path: str, data: bytes, *, durable: bool) -> None:
        """Put an object atomically (readers see all of it or nothing), replacing any one there."""

    def stage(self, path: str, data: bytes) -> None:
        """Put an object of a commit (a data file, a manifest, the commit) that the next ``ref_swap``
        publishes in its ``journal``: written now, unsynced, where the store has no journal; held in
        the journal record where it has one."""

    def unstage(self, paths: Iterable[str]) -> None:
        """Forget staged objects no ``ref_swap`` published: their commit was abandoned or lost the race
        (what a store without a journal wrote is garbage for GC)."""

    def held(self, path: str) -> bytes | None:
        """The bytes of an object a journal or a commit in progress holds and no file does yet (None:
        open it as a file)."""

    def put_if_absent(self, path: str, data: bytes) -> bool:
        """Create an object durably unless the path exists; exactly one of racing writers gets True."""

    def exists(self, path: str) -> bool: ...

    def delete(self, *paths: str) -> None:
        """Remove objects; missing ones are not an error."""

    def walk(self, prefix: str) -> Iterator[tuple[str, float]]:
        """List (path, mtime) of every object under prefix."""

    def uri(self, path: str) -> str:
        """A URL other engines (DataFusion, pyarrow, Dask) can open."""

    def filesystem(self):
        """The fsspec filesystem and root path for readers such as pyarrow."""


class RefCAS(Protocol):
    """Branches, tags and counters: the only things that change, each by compare-and-swap."""

    atomic_cas: bool
    """True when the store itself arbitrates every writer that can reach it.

    False means writers are arbitrated inside one process only; such a store
    lets one writer process at a time in (see :mod:`catalog.storage.lease`).
    """

    def ref_get(self, kind: str, name: str) -> RefState | None: ...

    def ref_create(self, kind: str, name: str, state: RefState, *, durable: bool) -> None:
        """Create a ref; raise RefExists if it is there already."""

    def ref_swap(
        self,
        kind: str,
        name: str,
        expected: str,
        new: RefState,
        journal: list[tuple[str, bytes]],
        *,
        durable: bool,
    ) -> bool:
        """Point a ref at a new commit if it still points at ``expected``.

        ``journal`` holds the bytes of objects written without fsync for this
        commit; a store that journals makes them durable with the ref itself.
        """

    def ref_sync(self, kind: str, name: str) -> None:
        """Make the ref's value durable, with whatever its history reaches, ``relaxed`` commits included.

        Called before another ref records a commit taken from it (a merge, a new branch or tag), so
        that a power loss cannot keep that record and take what it points at.
        """

    def ref_sync_all(self) -> None:
        """:meth:`ref_sync` every ref (a commit named by its id: which ref reaches it is not known)."""

    def ref_delete(self, kind: str, name: str) -> None: ...

    def ref_list(self, kind: str) -> dict[str, RefState]: ...

    def allocate(self, counter: str, count: int) -> int:
        """Reserve ``count`` consecutive values of a repository-wide counter."""

    def try_exclusive(self, name: str, *, wait: bool = False) -> ContextManager[bool]:
        """Within the block, hold the advisory lock ``name`` if no other process holds it (True), else
        hold nothing (False); with ``wait``, wait until it is free (always True). It only spares
        processes the same work (compaction of one branch, merges into one branch redone after each
        other's), never arbitrates a commit, so a store that cannot arbitrate says True."""

    def prune_versions(self, older_than: float, *, dry_run: bool = False) -> int:
        """Drop superseded versions of refs and counters; return how many (would) go.

        A version newer than ``older_than`` (unix s) is kept where a writer that
        read it could still be about to swap after it (object stores).
        """


class Storage(ObjectIO, RefCAS, Protocol):
    """Objects, refs and counters of one repository."""
