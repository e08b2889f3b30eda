"""Why a running statement must stop: a cancel request, or statement_timeout running out.

Both set the session's cancel event, which the waits that can be interrupted (pg_sleep, advisory
lock waits) watch; this module remembers which of the two it was, so the error says so as
PostgreSQL's does (57014 "... due to user request" or "... due to statement timeout"). A
statement that cannot be interrupted part-way (a DataFusion plan runs to its end) and outlives its
timeout still fails with 57014 when it ends, so a timeout always means the statement did not
happen, as in PostgreSQL.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Iterator

from ..errors import QueryCanceled

USER_REQUEST = "canceling statement due to user request"
STATEMENT_TIMEOUT = "canceling statement due to statement timeout"


class Interrupts:
    """The cancel event of one session and the statement timer that may set it."""

    def __init__(self, event: threading.Event) -> None:
        self._event = event
        self._timed_out = threading.Event()

    def reason(self) -> str | None:
        """The message of the interruption in force, or None."""
        if not self._event.is_set():
            return None
        return STATEMENT_TIMEOUT if self._timed_out.is_set() else USER_REQUEST

    def check(self) -> None:
        """Raise 57014 if the statement was canceled or timed out (for waits that poll)."""
        reason = self.reason()
        if reason is not None:
            raise QueryCanceled(f"[SQLSTATE 57014] {reason}")

    @contextlib.contextmanager
    def statement(self, timeout_ms: int) -> Iterator[None]:
        """Run one statement under ``timeout_ms`` (0: no limit)."""
        self._timed_out.clear()
        if not timeout_ms:
            yield
            return
        timer = threading.Timer(timeout_ms / 1000, self._expire)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
        if self._timed_out.is_set():
            raise QueryCanceled(STATEMENT_TIMEOUT)

    def _expire(self) -> None:
        self._timed_out.set()
        self._event.set()
