"""VACUUM, ANALYZE and DISCARD: a database's housekeeping statements, as they mean here.

- ``VACUUM [FULL] [table, ...]`` reclaims what deleted and updated rows left: the branch's tables
  (those named, or all) are compacted, their small files and deletion vectors folded into fresh
  Parquet files, as ``agentlake compact`` does; readers see the same rows. As in PostgreSQL it
  cannot run inside a transaction block (25001). Its ANALYZE option is ANALYZE's.
- ``ANALYZE [table, ...]`` has nothing to gather: each data file carries its own statistics
  (row counts, min/max and null counts per column), written with it and read by the planner, so
  they are never stale. The tables named must exist (42P01).
- ``DISCARD ALL`` resets the session to its state at connection (cursors closed, settings reset,
  channels unlistened, advisory locks released, prepared statements deallocated, sequence values
  forgotten), outside a transaction
  block only (25001), as a connection pool issues it between clients; ``DISCARD SEQUENCES`` forgets
  currval/lastval; ``DISCARD PLANS`` and ``DISCARD TEMP`` have nothing to drop (cached plans follow
  the catalog by themselves, and no table lives only in a session).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import OperationalError, ProgrammingError
from ..results import Result
from ..sql.dialect import Discard, Maintenance
from .ddl import table_name
from .rights import WRITE, require
from .sequences import SequenceValues

if TYPE_CHECKING:
    from .session import Session


def maintenance(session: "Session", stmt: Maintenance) -> Result:
    kind = stmt.this
    tables = [table_name(table) for table in stmt.args.get("tables") or []]
    missing = next((name for name in tables if name not in session.snapshot.tables), None)
    if missing is not None:
        raise ProgrammingError(f'relation "{missing}" does not exist', sqlstate="42P01")
    if kind == "VACUUM":
        _outside_transaction_block(session, "VACUUM")
        require(session.rights, session.branch, WRITE)
        session.repo.compact(session.branch, tables or None)
    return Result(None, 0, kind)


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
    return Result(None, 0, f"DISCARD {what}")


def _outside_transaction_block(session: "Session", statement: str) -> None:
    if session.transaction_status != "idle":
        raise OperationalError(f"{statement} cannot run inside a transaction block", sqlstate="25001")
