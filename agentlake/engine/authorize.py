"""What a parsed statement needs of the session's user, decided from its syntax tree before it
runs (the server passes the user in; nothing here looks at keywords of the text).

Reading the session's branch is checked when the session opens and when it switches branch, so
a statement only adds: write on the session's branch for anything that changes data, schema or
indexes. Branch functions (``agentlake.merge('main')``) and ``SET agentlake.branch`` are checked
where they act, against the branches they name (:mod:`.branching`, ``Session.set_branch``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from ..errors import ReadOnlyTransaction
from ..sql import dialect
from .rights import WRITE, require

if TYPE_CHECKING:
    from .session import Session

_WRITES = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop, exp.Alter, exp.TruncateTable)
_NO_DATA = (
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Set,
    dialect.Show,
    dialect.Reset,
    dialect.Savepoint,
    dialect.Release,
    dialect.FetchCursor,
    dialect.CloseCursor,
)
_QUERIES = (exp.Query, exp.Values)
# they write only when they change the branch (IF [NOT] EXISTS of nothing to do answers with a
# NOTICE, as in PostgreSQL): their handler takes the write transaction, which checks the right
_CHECKED_WHERE_THEY_WRITE = ("CREATE EXTENSION", "DROP EXTENSION")


def writes(stmt: exp.Expression) -> bool:
    """Whether running ``stmt`` changes the branch. EXPLAIN counts as its statement, as in
    PostgreSQL, which checks privileges when it plans; a kind this module does not know counts
    as a write, so a new statement form is never let through by omission."""
    if isinstance(stmt, dialect.Explain):
        return writes(stmt.this)
    if isinstance(stmt, dialect.DeclareCursor):
        return writes(stmt.expression)
    if isinstance(stmt, exp.Copy):
        return bool(stmt.args.get("kind"))  # COPY ... FROM loads rows; COPY ... TO reads them
    if isinstance(stmt, _WRITES):
        return True
    if isinstance(stmt, _QUERIES):
        return stmt.find(*_WRITES) is not None  # a data-modifying WITH
    if isinstance(stmt, _NO_DATA):
        return False
    if isinstance(stmt, exp.Command):
        return not " ".join(stmt.sql(dialect="postgres").upper().split()[:2]).startswith(_CHECKED_WHERE_THEY_WRITE)
    return True


def authorize(session: "Session", stmt: exp.Expression) -> None:
    """Raise 42501 unless the session's user may run ``stmt`` on the session's branch, and 25006
    for a statement that writes in a read-only transaction (``BEGIN READ ONLY``, ``SET TRANSACTION
    READ ONLY``, or every one under ``default_transaction_read_only``)."""
    if not writes(stmt):
        return
    if session.rights is not None:
        require(session.rights, session.branch, WRITE)
    explicit = session.transaction_status != "idle"
    if session.settings["transaction_read_only" if explicit else "default_transaction_read_only"] == "on":
        raise ReadOnlyTransaction(f"cannot execute {command_name(stmt)} in a read-only transaction")


def command_name(stmt: exp.Expression) -> str:
    """How PostgreSQL names a writing statement in its messages (``INSERT``, ``CREATE TABLE``)."""
    if isinstance(stmt, dialect.Explain):
        return command_name(stmt.this)
    if isinstance(stmt, exp.Query):
        found = stmt.find(*_WRITES)
        return command_name(found) if found is not None else "SELECT"
    if isinstance(stmt, (exp.Create, exp.Drop, exp.Alter)):
        return f"{stmt.key.upper()} {str(stmt.args.get('kind') or 'TABLE').upper()}"
    if isinstance(stmt, exp.TruncateTable):
        return "TRUNCATE TABLE"
    if isinstance(stmt, exp.Copy):
        return "COPY FROM"
    if isinstance(stmt, exp.Command):
        return " ".join(stmt.sql(dialect="postgres").upper().split()[:2])
    return stmt.key.upper()
