"""Errors of the versioned catalog, each with the PostgreSQL SQLSTATE users see."""

from __future__ import annotations

import json


class CatalogError(Exception):
    """Base class; ``sqlstate`` tells clients what kind of failure this is."""

    sqlstate = "XX000"

    def __init__(self, message: str, *, sqlstate: str | None = None) -> None:
        super().__init__(message)
        if sqlstate is not None:
            self.sqlstate = sqlstate


class InvalidName(CatalogError):
    sqlstate = "42602"


class RefNotFound(CatalogError):
    sqlstate = "3F000"


class RefExists(CatalogError):
    sqlstate = "42710"


class TableNotFound(CatalogError):
    sqlstate = "42P01"


class TableExists(CatalogError):
    sqlstate = "42P07"


class ColumnExists(CatalogError):
    sqlstate = "42701"


class ColumnNotFound(CatalogError):
    sqlstate = "42703"


class SchemaMismatch(CatalogError):
    sqlstate = "42804"


class UniqueViolation(CatalogError):
    sqlstate = "23505"


class NotNullViolation(CatalogError):
    sqlstate = "23502"


class ForeignKeyViolation(CatalogError):
    sqlstate = "23503"


class CheckViolation(CatalogError):
    sqlstate = "23514"


class ProtectedRef(CatalogError):
    sqlstate = "42501"


class ConflictError(CatalogError):
    """A concurrent commit changed what this one changed; nothing was written."""

    sqlstate = "40001"


class MergeConflict(CatalogError):
    """Both sides changed the same rows; ``conflicts`` lists them as data."""

    sqlstate = "40001"

    def __init__(self, message: str, conflicts: list) -> None:
        super().__init__(message)
        self.conflicts = conflicts


class UnsupportedFormat(CatalogError):
    sqlstate = "0A000"


class StorageError(CatalogError):
    sqlstate = "58030"


class DataCorrupted(CatalogError):
    """A stored object is not what was written (PostgreSQL's data_corrupted): the statements that
    need it fail with its name, instead of a bare JSON or key error."""

    sqlstate = "XX001"

    @classmethod
    def unreadable(cls, location: str, err: Exception) -> "DataCorrupted":
        if isinstance(err, json.JSONDecodeError):
            what = f"invalid JSON: {err}"
        elif isinstance(err, KeyError):
            what = f"missing field {err}"
        else:
            what = str(err) or type(err).__name__
        return cls(f'could not read file "{location}": {what}')
