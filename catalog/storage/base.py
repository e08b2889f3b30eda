"""The storage protocol the catalog is written against.

Two families of stores need different commit mechanics: a local disk can append
to a file and fsync it once (a journal), an object store can only create objects
conditionally. Both hide behind these few operations, chosen per URL at run time.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Iterator, Protocol
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
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


class Storage(Protocol):
    """Objects, refs and counters of one repository."""

    url: str

    def read(self, path: str) -> bytes: ...

    def write(self, path: str, data: bytes, *, durable: bool) -> None:
        """Write an object atomically: readers see all of it or nothing."""

    def exists(self, path: str) -> bool: ...

    def delete(self, path: str) -> None: ...

    def walk(self, prefix: str) -> Iterator[tuple[str, float]]:
        """Yield (path, mtime) of every object under prefix."""

    def uri(self, path: str) -> str:
        """A URL other engines (DataFusion, pyarrow, Dask) can open."""

    def filesystem(self):
        """The fsspec filesystem and root path for readers such as pyarrow."""

    def ref_get(self, kind: str, name: str) -> RefState | None: ...

    def ref_create(self, kind: str, name: str, state: RefState, *, durable: bool) -> None:
        """Create a ref; raise RefExists if it is there already."""

    def ref_swap(
        self, kind: str, name: str, expected: str, new: RefState,
        journal: list[tuple[str, bytes]], *, durable: bool,
    ) -> bool:
        """Point a ref at a new commit if it still points at ``expected``.

        ``journal`` holds the bytes of objects written without fsync for this
        commit; a store that journals makes them durable with the ref itself.
        """

    def ref_delete(self, kind: str, name: str) -> None: ...

    def ref_list(self, kind: str) -> dict[str, RefState]: ...

    def allocate(self, counter: str, count: int) -> int:
        """Reserve ``count`` consecutive values of a repository-wide counter."""
