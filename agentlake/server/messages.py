"""The frontend's message stream, with a look ahead to the end of an extended-protocol batch.

PostgreSQL runs the statements of one batch (the messages up to Sync) in one
implicit transaction, so a pipeline that fails part-way commits none of them.
A batch of a single statement (Parse, Bind, Describe, Execute, Sync: what a
client sends for one query) needs no transaction around it, and opening one
would cost every query a BEGIN and a COMMIT. The session asks, before it runs
a batch's first statement, whether another statement follows; reading ahead to
find out is safe because a client must send Sync or Flush before it waits for
an answer, so those messages are already on their way.
"""

from __future__ import annotations

import asyncio
from collections import deque

from . import protocol as pq

Message = tuple[bytes, bytes]  # (type byte, body)


class MessageStream:
    """Reads typed messages; those read ahead wait in a queue and come first."""

    def __init__(self, reader: asyncio.StreamReader, max_message: int) -> None:
        self._reader = reader
        self._max_message = max_message
        self._ahead: deque[Message] = deque()

    async def next(self) -> Message:
        return self._ahead.popleft() if self._ahead else await self._read()

    async def _read(self) -> Message:
        header = await self._reader.readexactly(5)
        length = pq.message_length(header, self._max_message)
        body = await self._reader.readexactly(length) if length else b""
        return header[:1], body

    async def statement_ahead(self) -> bool:
        """Whether another statement (a Bind) comes before the next Sync.

        A Flush counts as one: a pipelining client reads answers before it has sent
        its whole batch, so more statements may follow it."""
        for kind, _ in self._ahead:
            if kind in _DECIDES:
                return _DECIDES[kind]
        while True:
            message = await self._read()
            self._ahead.append(message)
            if message[0] in _DECIDES:
                return _DECIDES[message[0]]


_DECIDES = {b"B": True, b"H": True, b"S": False, b"X": False, b"Q": False}  # the first of these answers
