"""Read-only views of a repository at one commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyarrow as pa

from .errors import TableNotFound
from .objects import Commit, Manifest

if TYPE_CHECKING:
    from .repository import Repository


@dataclass
class Snapshot:
    """Every table of the repository as of one commit (or one open transaction)."""

    repo: "Repository"
    commit_id: str | None
    tables: dict[str, Manifest]
    views: dict[str, str]
    commit: Commit | None = None
    extensions: dict[str, str] = field(default_factory=dict)
    """Installed extensions (CREATE EXTENSION), name -> version."""
    types: dict[str, list[str]] = field(default_factory=dict)
    """User-defined enum types (CREATE TYPE ... AS ENUM), name -> labels in order."""
    sequences: dict[str, dict] = field(default_factory=dict)
    """Standalone sequences (CREATE SEQUENCE), name -> definition."""

    def table_names(self) -> list[str]:
        return sorted(self.tables)

    def manifest(self, name: str) -> Manifest:
        try:
            return self.tables[name]
        except KeyError:
            raise TableNotFound(f'relation "{name}" does not exist') from None

    def schema(self, name: str) -> pa.Schema:
        return self.manifest(name).schema

    def find_schema(self, name: str) -> pa.Schema | None:
        """The table's schema, or None where there is no such table."""
        manifest = self.tables.get(name)
        return manifest.schema if manifest is not None else None

    def read(self, name: str, columns: list[str] | None = None, with_rowid: bool = False) -> pa.Table:
        """All live rows of a table (deletion vectors applied), as one Arrow table."""
        manifest = self.manifest(name)
        parts = [self.repo.files.read(f, manifest, columns, with_rowid) for f in manifest.files if f.live_rows]
        if not parts:
            schema = pa.schema([f for f in manifest.schema if columns is None or f.name in columns])
            if with_rowid:
                schema = schema.append(pa.field("_rowid", pa.int64(), nullable=False))
            return schema.empty_table()
        return pa.concat_tables(parts)
