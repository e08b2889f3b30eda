"""Exceptions of the agentlake API.

PEP 249 names the classes; PostgreSQL's SQLSTATE codes say what went wrong, so
that the Python API, the wire server and the catalog report the same thing.
"""

from __future__ import annotations

import re

from catalog.errors import CatalogError

_SQLSTATE_TAG = re.compile(r"^\[SQLSTATE [0-9A-Z]{5}\]\s*")


class Warning(Exception):  # noqa: A001 - PEP 249 requires this name
    """PEP 249 warning."""


class Notice(str):
    """A message reported beside a statement's result, with PostgreSQL's severity and SQLSTATE (a
    plain ``str`` notice is a NOTICE, 00000): the wire server sends both, so a client sees a WARNING
    where PostgreSQL sends one."""

    severity: str
    sqlstate: str

    detail: str | None
    hint: str | None

    def __new__(
        cls,
        text: str,
        severity: str = "WARNING",
        sqlstate: str = "01000",
        detail: str | None = None,
        hint: str | None = None,
    ) -> "Notice":
        notice = super().__new__(cls, text)
        notice.severity, notice.sqlstate, notice.detail, notice.hint = severity, sqlstate, detail, hint
        return notice


NO_TRANSACTION = Notice("there is no transaction in progress", sqlstate="25P01")
"""PostgreSQL's WARNING for COMMIT, ROLLBACK and kin outside a transaction block."""


class Error(Exception):
    """Base class of every agentlake error; carries a PostgreSQL SQLSTATE."""

    sqlstate = "XX000"

    def __init__(
        self,
        message: str,
        *,
        sqlstate: str | None = None,
        position: int | None = None,
        detail: str | None = None,
        hint: str | None = None,
        objects: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        if sqlstate is not None:
            self.sqlstate = sqlstate
        self.position = position
        self.detail, self.hint = detail, hint  # PostgreSQL's DETAIL and HINT fields
        self.objects = objects or {}
        """What the error is about, as PostgreSQL's error fields name it: ``schema``, ``table``,
        ``column``, ``constraint`` (a client reads which constraint a row broke from them)."""

    def __str__(self) -> str:
        """The message without the ``[SQLSTATE ...]`` tag an error raised inside a DataFusion UDF
        carries so that DataFusion's wrapping keeps its code (repr still shows it)."""
        return _SQLSTATE_TAG.sub("", super().__str__(), count=1)


def keep_sqlstate(accumulator: type) -> type:
    """``accumulator`` (a DataFusion aggregate's class) re-raising an agentlake error as plain text
    that keeps its ``[SQLSTATE xxxxx]`` tag. DataFusion reports an exception raised in an aggregate
    by its class and ``str()`` ("DataError: message"), and ``str()`` hides the tag that
    ``sql.diagnostics`` reads the SQLSTATE back from (a scalar function's error is reported by its
    ``repr``, which keeps it)."""

    def keeping(method):
        def call(self, *args):
            try:
                return method(self, *args)
            except Error as err:
                raise RuntimeError(f"[SQLSTATE {err.sqlstate}] {err}") from err

        return call

    methods = {
        name: keeping(getattr(accumulator, name))
        for name in ("update", "merge", "state", "evaluate", "retract_batch")
        if hasattr(accumulator, name)
    }
    return type(accumulator.__name__, (accumulator,), methods)


class InterfaceError(Error):
    sqlstate = "08000"


class DatabaseError(Error):
    sqlstate = "XX000"


class DataError(DatabaseError):
    sqlstate = "22000"


class OperationalError(DatabaseError):
    sqlstate = "58000"


class IntegrityError(DatabaseError):
    sqlstate = "23000"


class InternalError(DatabaseError):
    sqlstate = "XX000"


class ProgrammingError(DatabaseError):
    sqlstate = "42000"


class NotSupportedError(DatabaseError):
    sqlstate = "0A000"


class SerializationFailure(OperationalError):
    """A concurrent commit touched the same rows; retry the transaction."""

    sqlstate = "40001"


class MergeConflict(SerializationFailure):
    """Both sides changed the same rows; ``conflicts`` lists them (table, key, base/ours/theirs)."""

    def __init__(self, message: str, conflicts: list, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.conflicts = conflicts


class QueryCanceled(OperationalError):
    sqlstate = "57014"


class InFailedTransaction(ProgrammingError):
    sqlstate = "25P02"


class ReadOnlyTransaction(ProgrammingError):
    sqlstate = "25006"


_CLASS_BY_SQLSTATE_PREFIX = {
    "08": InterfaceError,
    "0A": NotSupportedError,
    "22": DataError,
    "23": IntegrityError,
    "25": ProgrammingError,
    "40": SerializationFailure,
    "42": ProgrammingError,
    "54": OperationalError,  # program limits (54001 stack depth), as psycopg classes them
    "57": QueryCanceled,
    "XX": InternalError,
    "3F": ProgrammingError,
    "3D": ProgrammingError,
}


def function_error(sqlstate: str, message: str, kind: type[Error] = DataError) -> Error:
    """An error raised inside a function DataFusion calls, its SQLSTATE tagged onto the message so
    that it survives DataFusion's wrapping (``sql.diagnostics`` reads it back)."""
    return kind(f"[SQLSTATE {sqlstate}] {message}", sqlstate=sqlstate)


def tagged(err: Error) -> Error:
    """``err``, raised again inside a function DataFusion calls, tagged as :func:`function_error` tags."""
    return function_error(err.sqlstate, str(err), type(err))


def error_for(sqlstate: str, message: str, position: int | None = None) -> Error:
    """Build the PEP 249 exception class that matches a SQLSTATE."""
    if sqlstate == "25P02":
        return InFailedTransaction(message, position=position)
    cls = _CLASS_BY_SQLSTATE_PREFIX.get(sqlstate[:2], DatabaseError)
    return cls(message, sqlstate=sqlstate, position=position)


def violation_objects(violation) -> dict[str, str]:
    """A broken constraint's error fields (a ``catalog.constraint_checks.Violation``): its table (a
    foreign key's is the referencing one) and constraint, or for NOT NULL its column."""
    objects = {"schema": "public", "table": violation.owner or violation.table}
    objects["column" if violation.kind == "not_null" else "constraint"] = violation.constraint
    return objects


def from_catalog(err: CatalogError) -> Error:
    """Translate a catalog error into the PEP 249 class of its SQLSTATE."""
    conflicts = getattr(err, "conflicts", None)
    if conflicts is not None:
        return MergeConflict(str(err), conflicts)
    return error_for(err.sqlstate, str(err))
