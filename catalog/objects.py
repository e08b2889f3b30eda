"""Immutable catalog objects: commits, table manifests and data-file entries.

Commits and manifests are content-addressed JSON; their id is a hash of their
bytes, so writing one twice is harmless and a reader can cache it forever.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import weakref
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pyarrow as pa

from .storage.base import dumps, dumps_text

FORMAT_VERSION = 3
ARROW_FILES_VERSION = 3
"""The first format whose data files may be Arrow IPC files (older agentlake refuses to open it)."""
FIELD_ID = b"agentlake.field_id"
ROWID = "_rowid"
ARROW_SUFFIX = ".arrow"
PARQUET_SUFFIX = ".parquet"


def object_path(object_id: str) -> str:
    return f"objects/{object_id[:2]}/{object_id[2:]}.json"


def content_id(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()[:32]


def encode_ids(ids: np.ndarray) -> str:
    return base64.b64encode(np.asarray(ids, dtype="<i8").tobytes()).decode()


def decode_ids(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<i8")


def encode_schema(schema: pa.Schema) -> str:
    return base64.b64encode(schema.serialize().to_pybytes()).decode()


_SCHEMA_TEXTS: dict[int, tuple[weakref.ref, str]] = {}


def _schema_text(schema: pa.Schema) -> str:
    """``encode_schema`` once per schema object: the manifests of a table's successive versions
    share theirs. Keyed by identity (a weak reference guards against a reused id), because
    pyarrow's schema equality ignores the metadata that holds field ids."""
    held = _SCHEMA_TEXTS.get(id(schema))
    if held is not None and held[0]() is schema:
        return held[1]
    text = encode_schema(schema)
    if len(_SCHEMA_TEXTS) >= 1024:
        _SCHEMA_TEXTS.clear()
    _SCHEMA_TEXTS[id(schema)] = (weakref.ref(schema), text)
    return text


def decode_schema(text: str) -> pa.Schema:
    return pa.ipc.read_schema(pa.py_buffer(base64.b64decode(text)))


def field_id(f: pa.Field) -> int:
    return int(f.metadata[FIELD_ID])


def _sorted_union(existing: np.ndarray, rowids: np.ndarray) -> np.ndarray:
    """A deletion vector (ascending, unique) with ``rowids`` added. An update by key adds a rowid or
    two to a vector that may hold thousands: inserting them where they belong costs ~10 us, where
    np.union1d sorts everything again (~0.4 ms at 5,000)."""
    rowids = np.unique(rowids)
    if len(rowids) * 8 >= len(existing):
        return np.union1d(existing, rowids)
    at = np.searchsorted(existing, rowids)
    new = rowids[(at == len(existing)) | (existing[np.minimum(at, len(existing) - 1)] != rowids)]
    return np.insert(existing, np.searchsorted(existing, new), new)


@dataclass(frozen=True)
class DataFile:
    """One immutable data file of a table (Parquet, or Arrow IPC for a statement's few rows; its
    path's suffix says which) and the rows of it that are deleted."""

    id: str
    path: str
    rows: int
    size: int
    rowid_min: int
    rowid_max: int
    columns: dict[int, str]
    stats: dict[int, tuple] = field(default_factory=dict)
    deleted: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    origin: str = "write"

    @property
    def live_rows(self) -> int:
        return self.rows - len(self.deleted)

    @property
    def is_arrow(self) -> bool:
        """Written as an Arrow IPC file rather than Parquet (``datafiles.build_data_file``)."""
        return self.path.endswith(ARROW_SUFFIX)

    def with_deleted(self, rowids: np.ndarray) -> "DataFile":
        return replace(self, deleted=_sorted_union(self.deleted, np.asarray(rowids, dtype=np.int64)))

    def to_json(self) -> dict:
        out = {
            "id": self.id,
            "path": self.path,
            "rows": self.rows,
            "size": self.size,
            "rowid_min": self.rowid_min,
            "rowid_max": self.rowid_max,
            "columns": {str(k): v for k, v in self.columns.items()},
            "stats": {str(k): list(v) for k, v in self.stats.items()},
            "origin": self.origin,
        }
        if len(self.deleted):
            out["deleted"] = encode_ids(self.deleted)
        return out

    @cached_property
    def deletion_digest(self) -> bytes:
        """A short digest of the deletion vector, for caches of a file's live rows: an entry carried
        unchanged into the next manifest version keeps it, so it is hashed once, not per lookup."""
        return hashlib.blake2b(self.deleted.astype(np.int64, copy=False).tobytes(), digest_size=16).digest()

    @cached_property
    def json_text(self) -> str:
        """This entry's JSON as a manifest holds it: entries are immutable and most of them are
        carried unchanged into the next version, whose encoding then reuses their text."""
        return dumps_text(self.to_json())

    @classmethod
    def from_json(cls, d: dict) -> "DataFile":
        return cls(
            d["id"],
            d["path"],
            d["rows"],
            d["size"],
            d["rowid_min"],
            d["rowid_max"],
            {int(k): v for k, v in d["columns"].items()},
            {int(k): tuple(v) for k, v in d.get("stats", {}).items()},
            decode_ids(d["deleted"]) if "deleted" in d else np.empty(0, dtype=np.int64),
            d.get("origin", "write"),
        )


@dataclass(frozen=True)
class Manifest:
    """A table at one version: schema, constraints, index definitions and files."""

    table_id: str
    schema: pa.Schema
    primary_key: tuple[str, ...] = ()
    files: tuple[DataFile, ...] = ()
    next_field_id: int = 1
    constraints: dict = field(default_factory=dict)
    indexes: dict = field(default_factory=dict)
    properties: dict = field(default_factory=dict)

    @property
    def row_count(self) -> int:
        return sum(f.live_rows for f in self.files)

    def to_json(self) -> dict:
        return {**self._header(), "files": [f.to_json() for f in self.files]}

    def _header(self) -> dict:
        """Everything but the files."""
        return {
            "format": FORMAT_VERSION,
            "table_id": self.table_id,
            "schema": _schema_text(self.schema),
            "primary_key": list(self.primary_key),
            "next_field_id": self.next_field_id,
            "constraints": self.constraints,
            "indexes": self.indexes,
            "properties": self.properties,
        }

    @classmethod
    def from_json(cls, d: dict) -> "Manifest":
        return cls(
            d["table_id"],
            decode_schema(d["schema"]),
            tuple(d["primary_key"]),
            tuple(DataFile.from_json(f) for f in d["files"]),
            d["next_field_id"],
            d.get("constraints", {}),
            d.get("indexes", {}),
            d.get("properties", {}),
        )

    @classmethod
    def decode(cls, payload: bytes) -> "Manifest":
        """A stored manifest whose file entries keep the text they were stored as (``json_text``):
        the next version, which carries most of them unchanged, is then encoded without dumping
        them again (a merge or an agent's first commit onto a table of many files)."""
        text = payload.decode()
        split = _split_files(text)
        if split is None:  # not laid out as this module writes it: nothing to keep
            return cls.from_json(json.loads(text))
        fields, texts = split
        manifest = cls.from_json(fields)
        for entry, entry_text in zip(manifest.files, texts):
            entry.__dict__["json_text"] = entry_text
        return manifest

    @cached_property
    def field_ids(self) -> tuple[tuple[pa.Field, int], ...]:
        """Each field of the schema with its field id. pyarrow makes a new Field, and a new dict of
        its metadata, on every walk of a schema, and every file read asks."""
        return tuple((f, field_id(f)) for f in self.schema)

    @cached_property
    def encoded(self) -> tuple[str, bytes]:
        """``dumps(self.to_json())``, byte for byte, assembled from each file entry's cached text:
        a commit that adds one file to a table of many re-encodes one entry, not all of them."""
        header = self._header()
        constraints = dumps_text(header.pop("constraints"))
        rest = dumps_text(header)  # every other key sorts after "files"
        files = ",".join(f.json_text for f in self.files)
        payload = f'{{"constraints":{constraints},"files":[{files}],{rest[1:]}'.encode()
        return content_id(payload), payload


_scan = json.JSONDecoder().scan_once
_HEAD, _FILES = '{"constraints":', ',"files":['


def _split_files(text: str) -> tuple[dict, list[str]] | None:
    """A manifest's JSON (as :attr:`Manifest.encoded` lays it out: constraints, then files, then the
    rest) parsed in one pass, with the text of each file entry; None for any other layout."""
    if not text.startswith(_HEAD):
        return None
    try:
        constraints, at = _scan(text, len(_HEAD))
        if not text.startswith(_FILES, at):
            return None
        at += len(_FILES)
        files, texts = [], []
        while text[at] != "]":
            entry, end = _scan(text, at)
            files.append(entry)
            texts.append(text[at:end])
            at = end + 1 if text[end] == "," else end
        rest = json.loads("{" + text[at + 2 :]) if text[at + 1] == "," else {}
    except (StopIteration, IndexError, ValueError):
        return None
    rest["constraints"], rest["files"] = constraints, files
    return rest, texts


@dataclass(frozen=True)
class Commit:
    """A version of every table of the repository at once."""

    parents: tuple[str, ...]
    tables: dict[str, str]
    author: str = ""
    message: str = ""
    time: float = field(default_factory=time.time)
    metadata: dict = field(default_factory=dict)
    views: dict[str, str] = field(default_factory=dict)
    # 1 + the largest generation of the parents (1 for a root), as git's commit-graph stores it:
    # walks ordered by it stop at the merge base. None in commits written by format 1.
    generation: int | None = None
    # installed extensions, name -> version (CREATE EXTENSION); written only when there are some
    extensions: dict[str, str] = field(default_factory=dict)
    # a merge's source commits since the base, as (id, generation, parents): a process walking the
    # target's history learns them here instead of loading each (FORMAT.md, *Objects*)
    ancestry: tuple[tuple[str, int, tuple[str, ...]], ...] = ()
    # user-defined enum types, name -> labels in order (CREATE TYPE ... AS ENUM); written only when there are some
    types: dict[str, list[str]] = field(default_factory=dict)
    # standalone sequences, name -> definition (CREATE SEQUENCE); written only when there are some
    sequences: dict[str, dict] = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {
            "format": FORMAT_VERSION,
            "parents": list(self.parents),
            "tables": self.tables,
            "author": self.author,
            "message": self.message,
            "time": self.time,
            "metadata": self.metadata,
            "views": self.views,
        }
        if self.generation is not None:
            out["generation"] = self.generation
        if self.extensions:
            out["extensions"] = self.extensions
        if self.types:
            out["types"] = self.types
        if self.sequences:
            out["sequences"] = self.sequences
        if self.ancestry:
            out["ancestry"] = [
                [commit_id, generation, list(parents)] for commit_id, generation, parents in self.ancestry
            ]
        return out

    @classmethod
    def decode(cls, payload: bytes) -> "Commit":
        return cls.from_json(json.loads(payload))

    @classmethod
    def from_json(cls, d: dict) -> "Commit":
        return cls(
            tuple(d["parents"]),
            d["tables"],
            d.get("author", ""),
            d.get("message", ""),
            d["time"],
            d.get("metadata", {}),
            d.get("views", {}),
            d.get("generation"),
            d.get("extensions", {}),
            tuple((commit_id, generation, tuple(parents)) for commit_id, generation, parents in d.get("ancestry", ())),
            d.get("types", {}),
            d.get("sequences", {}),
        )

    @cached_property
    def encoded(self) -> tuple[str, bytes]:
        payload = dumps(self.to_json())
        return content_id(payload), payload

    @property
    def id(self) -> str:
        return self.encoded[0]
