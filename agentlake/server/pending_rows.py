"""The DataRows a statement has still to send, for a simple query or a portal's Executes: those
encoded with its outcome, then the rest of a streamed result, taken from the engine a chunk at a
time (so neither the engine nor the server holds a large result whole)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .result_messages import Outcome

if TYPE_CHECKING:
    from .session import WireSession


class PendingRows:
    def __init__(self, outcome: Outcome) -> None:
        self._outcome = outcome
        self._index = 0
        self._resume = False

    @property
    def done(self) -> bool:
        """No rows left (for a stream: its end has been read)."""
        more = self._outcome.more
        return self._index >= len(self._outcome.rows) and (more is None or more.done)

    @property
    def tag(self) -> str:
        """The command tag, once ``done``."""
        more = self._outcome.more
        return self._outcome.tag if more is None else more.tag

    def resume(self) -> None:
        """A suspended portal is executed again: the engine's next take starts a new run."""
        self._resume = True

    async def take(self, session: "WireSession", limit: int) -> list[bytes]:
        """Up to ``limit`` rows; the engine's errors (a later batch's, a cancel) are raised here."""
        rows = self._outcome.rows
        if self._index < len(rows):
            end = min(len(rows), self._index + limit)
            self._index, taken = end, rows[self._index : end]
            return taken
        more = self._outcome.more
        if more is None:
            return []
        resume, self._resume = self._resume, False

        def take() -> list[bytes]:
            if resume:
                more.resume()
            return more.take(limit)

        return await session.run_in_engine(take)
