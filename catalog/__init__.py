"""agentlake's versioned catalog: branches, commits and merges of Parquet tables.

Importable alone (needs only pyarrow, numpy and fsspec); never imports agentlake.
"""

from .errors import (
    CatalogError,
    ColumnExists,
    ColumnNotFound,
    ConflictError,
    InvalidName,
    MergeConflict,
    NotNullViolation,
    ProtectedRef,
    RefExists,
    RefNotFound,
    SchemaMismatch,
    TableExists,
    TableNotFound,
    UniqueViolation,
    UnsupportedFormat,
)
from .objects import FORMAT_VERSION, ROWID, Commit, DataFile, Manifest
from .repository import FileHook, Repository, resolve_url
from .snapshot import Snapshot
from .transaction import Transaction

__all__ = [
    "FORMAT_VERSION",
    "ROWID",
    "CatalogError",
    "ColumnExists",
    "ColumnNotFound",
    "Commit",
    "ConflictError",
    "DataFile",
    "InvalidName",
    "Manifest",
    "MergeConflict",
    "NotNullViolation",
    "ProtectedRef",
    "RefExists",
    "RefNotFound",
    "Repository",
    "SchemaMismatch",
    "Snapshot",
    "TableExists",
    "TableNotFound",
    "Transaction",
    "UniqueViolation",
    "UnsupportedFormat",
    "FileHook",
    "resolve_url",
]
