"""SQL cursors: DECLARE, FETCH, MOVE and CLOSE with PostgreSQL 16's meaning (what psycopg's named
cursors, and SQLAlchemy's ``stream_results`` / ``yield_per`` through them, send).

A cursor runs its query when declared, on the snapshot of that moment, and keeps the answer: a
held table, or the query's stream (``engine.result_stream``), which a forward-only cursor reads a
batch at a time and drops as it passes rows, so a result larger than memory is never held. A
SCROLL cursor keeps every row it has read, to go back over them. The position rules
(``SqlCursor``) follow PostgreSQL's portal: a cursor is before its first row, on a row, or after
its last; FETCH 0 re-reads the current row; ABSOLUTE and FIRST rewind. Without SCROLL a cursor
is forward-only (PostgreSQL decides from the plan when neither is written; here no plan is
scrollable), and anything that would step back is 55000.

Cursors live in the session (``Session.sql_cursors``): one without HOLD ends with its
transaction; one WITH HOLD outlives COMMIT, but a ROLLBACK of the transaction that declared it
closes it, as ROLLBACK TO a savepoint closes those declared after it. ``pg_cursors`` lists them (psycopg reads it to close a cursor it never executed).
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from ..errors import NotSupportedError, ProgrammingError
from ..pgcatalog.tables import PG_CURSORS
from ..results import Result, RowStream
from ..sql import dialect

if TYPE_CHECKING:
    from .session import Session

ALL = sys.maxsize
"""PostgreSQL's FETCH_ALL: a count no cursor reaches."""

_BATCH_ROWS = 8192
"""Rows a streamed FETCH ALL reads at a time."""


def _forward_only() -> ProgrammingError:
    return ProgrammingError(
        "cursor can only scan forward",
        sqlstate="55000",
        hint="Declare it with SCROLL option to enable backward scan.",
    )


class _Rows:
    """A query's rows by number (the first is 1), read from its stream as they are needed. With
    ``keep`` every row read stays (a SCROLL cursor); otherwise rows are dropped once passed."""

    def __init__(self, result: Result, keep: bool) -> None:
        held = result.table
        self._stream: RowStream | None = result.stream
        self.schema = held.schema if held is not None else self._stream.schema
        self._held = held if held is not None else self.schema.empty_table()
        self._first = 1  # the number of the first held row
        self._keep = keep

    def _read(self) -> bool:
        """One more batch of the stream; False at its end."""
        batch = self._stream.next_batch() if self._stream is not None else None
        if batch is None:
            self._stream = None
            return False
        self._held = pa.concat_tables([self._held, batch])
        return True

    def resume(self) -> None:
        """A new statement reads on: statement_timeout counts from now (``RowStream.resume``)."""
        if self._stream is not None:
            self._stream.resume()

    def forward(self, after: int, count: int, wanted: bool) -> tuple[list[pa.Table], int]:
        """Up to ``count`` rows after row ``after``: (the rows if ``wanted``, how many there were)."""
        parts, got = [], 0
        while got < count:
            offset = after + 1 + got - self._first
            if offset >= self._held.num_rows and not self._read():
                break
            taken = min(count - got, self._held.num_rows - offset)
            if wanted and taken:
                parts.append(self._held.slice(offset, taken))
            got += taken
            if not self._keep:  # passed rows are never read again
                passed = after + 1 + got - self._first
                self._held, self._first = self._held.slice(passed), self._first + passed
        return parts, got

    def backward(self, before: int, count: int, wanted: bool) -> tuple[list[pa.Table], int]:
        """Up to ``count`` rows before row ``before``, nearest first (all read already: a SCROLL
        cursor passed them)."""
        low = max(before - count, 1)
        got = max(before - low, 0)
        if not wanted or not got:
            return [], got
        rows = self._held.slice(low - self._first, got)
        return [rows.take(pa.array(range(got - 1, -1, -1)))], got


class SqlCursor:
    """One declared cursor and its position, moved as PostgreSQL moves a portal
    (``DoPortalRunFetch``, ``PortalRunSelect``, ``DoPortalRewind`` in its pquery.c)."""

    def __init__(self, statement: str, result: Result, scroll: bool, hold: bool, pending: bool) -> None:
        self.statement = statement
        self.created = time.time()
        self.scroll = scroll
        self.hold = hold
        self.pending = pending  # declared in the open transaction block, which may still roll back
        self.serial = 0  # its place among the session's cursors (``SqlCursors.mark``)
        self._rows = _Rows(result, keep=scroll)
        self.schema = self._rows.schema
        self._at_start, self._at_end, self._pos = True, False, 0
        self._streaming: _FetchAll | None = None

    def fetch(self, direction: str, count: int, wanted: bool) -> Result:
        """Move as FETCH (``wanted``: the rows come back) or MOVE does. A forward-only cursor's
        FETCH ALL streams the rest, as its query would (the tag's count known at the end)."""
        if self._streaming is not None:  # a FETCH ALL not read to its end: it still passed every row
            self._streaming.drain()
        self.resume()
        if wanted and not self.scroll and direction == "FORWARD" and count == ALL and not self._at_end:
            self._streaming = _FetchAll(self)
            return Result(None, -1, None, stream=self._streaming)
        parts, got = self._run_fetch(direction, count, wanted)
        if not wanted:
            return Result(None, got, f"MOVE {got}")
        rows = pa.concat_tables(parts) if parts else self.schema.empty_table()
        return Result(rows, got, f"FETCH {got}")

    def resume(self) -> None:
        """A new statement reads on (``RowStream.resume``)."""
        self._rows.resume()

    def next_of_all(self) -> pa.Table | None:
        """The next rows of a streamed FETCH ALL; None (and the stream done) after the last."""
        while not self._at_end:
            parts, got = self._select(True, _BATCH_ROWS, True)
            if got:
                return pa.concat_tables(parts)
        self._streaming = None
        return None

    def _run_fetch(self, direction: str, count: int, wanted: bool) -> tuple[list[pa.Table], int]:
        if direction == "ABSOLUTE":
            if count > 0:
                if count - 1 <= self._pos // 2:
                    self._rewind()
                    self._select(True, count - 1, False)
                else:
                    pos = self._pos + 1 if self._at_end else self._pos
                    if count <= pos:
                        self._select(False, pos - count + 1, False)
                    elif count > pos + 1:
                        self._select(True, count - pos - 1, False)
                return self._select(True, 1, wanted)
            if count < 0:
                self._select(True, ALL, False)
                if count < -1:
                    self._select(False, -count - 1, False)
                return self._select(False, 1, wanted)
            self._rewind()
            return [], 0
        if direction == "RELATIVE":
            if count > 0:
                self._select(True, count - 1, False)
                return self._select(True, 1, wanted)
            if count < 0:
                self._select(False, -count - 1, False)
                return self._select(False, 1, wanted)
            direction = "FORWARD"
        forward = direction == "FORWARD"
        if count < 0:
            forward, count = not forward, -count
        if count == 0:  # re-read the current row, if the cursor is on one
            on_row = not self._at_start and not self._at_end
            if not wanted:
                return [], int(on_row)
            if on_row:
                self._select(False, 1, False)
                forward, count = True, 1
        if not forward and count == ALL and not wanted:  # MOVE BACKWARD ALL: a rewind
            passed = self._pos - 1 if self._pos > 0 and not self._at_end else self._pos
            self._rewind()
            return [], passed
        return self._select(forward, count, wanted)

    def _select(self, forward: bool, count: int, wanted: bool) -> tuple[list[pa.Table], int]:
        if forward:
            if self._at_end or count <= 0:
                return [], 0
            parts, got = self._rows.forward(self._pos, count, wanted)
            self._at_start = self._at_start and got == 0
            self._at_end = got < count
            self._pos += got
            return parts, got
        if not self.scroll:
            raise _forward_only()
        if self._at_start or count <= 0:
            return [], 0
        parts, got = self._rows.backward(self._pos + 1 if self._at_end else self._pos, count, wanted)
        if got and self._at_end:
            self._at_end = False
            self._pos += 1
        if got < count:
            self._at_start, self._pos = True, 0
        else:
            self._pos -= got
        return parts, got

    def _rewind(self) -> None:
        if self._at_start and not self._at_end:
            return
        if not self.scroll:
            raise _forward_only()
        self._at_start, self._at_end, self._pos = True, False, 0


class _FetchAll:
    """The rest of a forward-only cursor's rows, a batch at a time (a ``results.RowStream``): the
    cursor moves as they are read, so memory stays that of a batch."""

    command = "FETCH"

    def __init__(self, cursor: SqlCursor) -> None:
        self._cursor = cursor
        self.schema = cursor.schema

    def next_batch(self) -> pa.Table | None:
        return self._cursor.next_of_all()

    def resume(self) -> None:
        self._cursor.resume()

    def drain(self) -> None:
        while self.next_batch() is not None:
            pass


class SqlCursors:
    """A session's open cursors by name."""

    def __init__(self) -> None:
        self._open: dict[str, SqlCursor] = {}
        self._declared = 0  # cursors declared so far: what a savepoint marks

    def mark(self) -> int:
        """A savepoint's mark: ROLLBACK TO it closes the cursors declared after it, as in PostgreSQL."""
        return self._declared

    def roll_back_to(self, mark: int) -> None:
        for name, cursor in list(self._open.items()):
            if cursor.serial >= mark:
                del self._open[name]

    def get(self, name: str) -> SqlCursor:
        cursor = self._open.get(name)
        if cursor is None:
            raise ProgrammingError(f'cursor "{name}" does not exist', sqlstate="34000")
        return cursor

    def __contains__(self, name: str) -> bool:
        return name in self._open

    def add(self, name: str, cursor: SqlCursor) -> None:
        cursor.serial, self._declared = self._declared, self._declared + 1
        self._open[name] = cursor

    def close(self, name: str | None) -> None:
        if name is None:
            self._open.clear()
        else:
            self.get(name)
            del self._open[name]

    def listing(self) -> pa.Table:
        """The rows of ``pg_cursors``."""
        rows = [
            {
                "name": name,
                "statement": cursor.statement,
                "is_holdable": cursor.hold,
                "is_binary": False,
                "is_scrollable": cursor.scroll,
                "creation_time": int(cursor.created * 1_000_000),
            }
            for name, cursor in self._open.items()
        ]
        return pa.Table.from_pylist(rows, schema=PG_CURSORS)

    def end_transaction(self, committed: bool) -> None:
        """COMMIT keeps the cursors WITH HOLD; ROLLBACK keeps those a transaction before declared."""
        for name, cursor in list(self._open.items()):
            if not cursor.hold or (cursor.pending and not committed):
                del self._open[name]
            else:
                cursor.pending = False


def declare(session: "Session", stmt: dialect.DeclareCursor) -> Result:
    """Run the query now, on the snapshot of the DECLARE, and keep its answer as a cursor."""
    from .handlers import run_query  # handlers registers this module's statements

    hold = bool(stmt.args.get("hold"))
    block = session.transaction_block
    if not hold and block is None:
        raise ProgrammingError("DECLARE CURSOR can only be used in transaction blocks", sqlstate="25P01")
    if stmt.args.get("binary"):
        raise NotSupportedError("DECLARE BINARY is not supported: fetch with a binary result format instead")
    name = dialect.folded_name(stmt.this)
    if name in session.sql_cursors:
        raise ProgrammingError(f'cursor "{name}" already exists', sqlstate="42P03")
    statement = stmt.sql(dialect=dialect.AgentlakePostgres)
    cursor = SqlCursor(
        statement, run_query(session, stmt.expression), bool(stmt.args.get("scroll")), hold, block is not None
    )
    session.sql_cursors.add(name, cursor)
    return Result(None, 0, "DECLARE CURSOR")


def fetch(session: "Session", stmt: dialect.FetchCursor) -> Result:
    cursor = session.sql_cursors.get(dialect.folded_name(stmt.this))
    count = stmt.args.get("count")
    return cursor.fetch(stmt.args["direction"], ALL if count is None else count, not stmt.args.get("move"))


def fetched_columns(session: "Session", stmt: dialect.FetchCursor) -> pa.Schema | None:
    """What FETCH returns (the cursor's query's columns); MOVE returns none."""
    if stmt.args.get("move"):
        return None
    return session.sql_cursors.get(dialect.folded_name(stmt.this)).schema


def close(session: "Session", stmt: dialect.CloseCursor) -> Result:
    session.sql_cursors.close(None if stmt.this is None else dialect.folded_name(stmt.this))
    return Result(None, 0, "CLOSE CURSOR" if stmt.this is not None else "CLOSE CURSOR ALL")


def register_pg_cursors(session: "Session", stmt: exp.Expression) -> None:
    """Put the session's cursors under ``pg_catalog.pg_cursors`` when ``stmt`` reads it."""
    if not any(t.name.lower() == "pg_cursors" for t in stmt.find_all(exp.Table)):
        return
    ctx = session.runner.sync()
    name = "pg_catalog.pg_cursors"
    if ctx.table_exist(name):
        ctx.deregister_table(name)
    table = session.sql_cursors.listing()
    ctx.register_record_batches(name, [table.to_batches() or [pa.RecordBatch.from_pylist([], schema=PG_CURSORS)]])
