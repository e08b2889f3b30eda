"""Query results too large to hold, read as they are produced (ARCHITECTURE.md, *Streamed results*).

A planned query's first rows are read while the statement runs; if the plan ends within
``HELD_BYTES`` its answer is an ordinary table (row count and tag known, errors raised by the
statement as always). Otherwise the statement returns a ``QueryStream`` over the rows read so far
and the rest of the plan, which its reader (a cursor, the wire server) pulls a batch at a time.

What PostgreSQL does while a portal runs holds for the pulls too: a cancel request or
statement_timeout stops the stream between batches (57014), and an error of a later batch
reaches the reader after the rows already read and fails an open transaction block.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Iterator

import pyarrow as pa
from sqlglot import exp

from ..errors import QueryCanceled
from .statement_timeout import STATEMENT_TIMEOUT, USER_REQUEST

if TYPE_CHECKING:
    from .session import Session

HELD_BYTES = 4 << 20
"""Results up to this size (in Arrow) are answered whole; larger ones stream."""


def held_or_streamed(session: "Session", stmt: exp.Expression, batches: Iterator[pa.Table]) -> pa.Table | "QueryStream":
    """The whole result when it is small, else a stream starting with the batches already read."""
    read: list[pa.Table] = []
    size = 0
    for batch in batches:
        read.append(batch)
        size += batch.nbytes
        if size > HELD_BYTES:
            return QueryStream(session, stmt, read, batches)
    return pa.concat_tables(read) if len(read) > 1 else read[0]


class QueryStream:
    """The rows of one running query, a typed Arrow batch at a time (a ``results.RowStream``)."""

    command = "SELECT"

    def __init__(
        self, session: "Session", stmt: exp.Expression, read: list[pa.Table], rest: Iterator[pa.Table]
    ) -> None:
        self._session = session
        self._stmt = stmt
        self._read = read
        self._rest = rest
        self.schema = read[0].schema
        self._block = session.transaction_block
        self._deadline = self._deadline_from_now()

    def next_batch(self) -> pa.Table | None:
        if self._read:
            return self._read.pop(0)
        self._check_interrupts()
        try:
            return next(self._rest, None)
        except Exception as err:  # noqa: BLE001 - DataFusion's errors, translated as the statement's own
            self._rest = iter(())
            raise self._session.stream_failed(err, self._stmt, self._block) from err

    def resume(self) -> None:
        self._session.cancel_event.clear()
        self._deadline = self._deadline_from_now()

    def _deadline_from_now(self) -> float | None:
        timeout_ms = self._session.settings.milliseconds("statement_timeout")
        return time.monotonic() + timeout_ms / 1000 if timeout_ms else None

    def _check_interrupts(self) -> None:
        reason = None
        if self._session.cancel_event.is_set():
            reason = self._session.interrupts.reason() or USER_REQUEST
        elif self._deadline is not None and time.monotonic() > self._deadline:
            reason = STATEMENT_TIMEOUT
        if reason is not None:
            self._rest = iter(())
            raise self._session.stream_failed(QueryCanceled(reason), self._stmt, self._block)
