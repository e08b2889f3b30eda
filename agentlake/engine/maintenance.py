"""VACUUM, ANALYZE and DISCARD: a database's housekeeping statements, as they mean here.

- ``VACUUM [FULL] [table, ...]`` reclaims what deleted and updated rows left: the branch's tables
  (those named, or all) are compacted, their small files and deletion vectors folded into fresh
  Parquet files, as ``agentlake compact`` does; readers see the same rows. As in PostgreSQL it
  cannot run inside a transaction block (25001). Its ANALYZE option is ANALYZE's.
- ``ANALYZE [table, ...]`` has nothing to gather: each data file carries its own statistics
  (row counts, min/max and null counts per column), written with it and read by the planner, so
  they are never stale. The tables named must exist (42P01).
- Both take PostgreSQL 16's options (an unknown one is 42601); VERBOSE reports each table as INFO.
- ``DISCARD ALL`` resets the session to its state at connection (cursors closed, settings reset,
  channels unlistened, advisory locks released, prepared statements deallocated, sequence values
  forgotten, temporary tables dropped), outside a transaction block only (25001), as a connection
  pool issues it between clients; ``DISCARD SEQUENCES`` forgets currval/lastval; ``DISCARD TEMP``
  drops the session's temporary tables (``engine.temporary_tables``); ``DISCARD PLANS`` has nothing
  to drop (cached plans follow the catalog by themselves).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import Notice, OperationalError, ProgrammingError
from ..results import Result
from ..sql.dialect import Discard, Maintenance
from .ddl import table_name
from .rights import WRITE, require
from .sequences import SequenceValues

if TYPE_CHECKING:
    from .session import Session


_OPTIONS = {
    "VACUUM": frozenset(
        {
            "FULL",
            "FREEZE",
            "VERBOSE",
            "ANALYZE",
            "ANALYSE",
            "DISABLE_PAGE_SKIPPING",
            "SKIP_LOCKED",
            "INDEX_CLEANUP",
            "PROCESS_MAIN",
            "PROCESS_TOAST",
            "TRUNCATE",
            "PARALLEL",
            "SKIP_DATABASE_STATS",
            "ONLY_DATABASE_STATS",
            "BUFFER_USAGE_LIMIT",
        }
    ),  # fmt: skip
    "ANALYZE": frozenset({"VERBOSE", "SKIP_LOCKED", "BUFFER_USAGE_LIMIT"}),
}
"""PostgreSQL 16's options. Compaction folds every small file and deletion vector whichever is
given (there are no pages, transaction ids or indexes of its own to tune here); VERBOSE reports."""


def maintenance(session: "Session", stmt: Maintenance) -> Result:
    kind, options = stmt.this, stmt.args.get("options") or []
    unknown = next((option for option in options if option not in _OPTIONS[kind]), None)
    if unknown is not None:
        raise ProgrammingError(f'unrecognized {kind} option "{unknown.lower()}"', sqlstate="42601")
    tables = [table_name(table) for table in stmt.args.get("tables") or []]
    missing = next((name for name in tables if name not in session.snapshot.tables), None)
    if missing is not None:
        raise ProgrammingError(f'relation "{missing}" does not exist', sqlstate="42P01")
    verbose = "VERBOSE" in options
    if kind == "VACUUM":
        _outside_transaction_block(session, "VACUUM")
        require(session.rights, session.branch, WRITE)
        for name, (before, after) in sorted(session.repo.compact(session.branch, tables or None).items()):
            if verbose:
                session.notice(_info(f'vacuuming "public.{name}"'))
                session.notice(_info(f'finished vacuuming "public.{name}": {before} data files, {after} after'))
    elif verbose:
        for name in tables or sorted(session.snapshot.tables):
            session.notice(_info(f'analyzing "public.{name}"'))
            files = len(session.snapshot.tables[name].files)
            session.notice(_info(f'"{name}": {files} data files, each carrying its own statistics'))
    return Result(None, 0, kind)


def _info(text: str) -> Notice:
    return Notice(text, severity="INFO", sqlstate="00000")


def discard(session: "Session", stmt: Discard) -> Result:
    what = stmt.this
    if what == "ALL":
        _outside_transaction_block(session, "DISCARD ALL")
        session.sql_cursors.close(None)
        session.settings.reset(None)
        session.notifications.unlisten(None)
        session.advisory_locks.unlock_all()
        session.prepared_statements.clear()
    if what in ("ALL", "SEQUENCES"):
        session.sequence_values = SequenceValues()
    if what in ("ALL", "TEMP"):
        session.temporary_tables.discard(session)
    return Result(None, 0, f"DISCARD {what}")


def _outside_transaction_block(session: "Session", statement: str) -> None:
    if session.transaction_status != "idle":
        raise OperationalError(f"{statement} cannot run inside a transaction block", sqlstate="25001")
