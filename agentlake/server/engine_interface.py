"""What the wire server needs of the engine, spelled out: one ``EngineConnection`` per wire
session (``agentlake.connect`` returns one), opened by an ``EngineConnect`` callable.

The server calls these and nothing else, so a change to the API that would break the server
shows up as a type error here rather than as a silently skipped ``getattr`` probe.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Protocol, Sequence

import pyarrow as pa

from ..engine.rights import Rights
from ..pgcatalog.tables import TableInfo


class EngineCursor(Protocol):
    """A statement's result as the server encodes it."""

    statusmessage: str | None
    rowcount: int
    constant: bool

    @property
    def arrow_schema(self) -> pa.Schema | None: ...

    def fetch_arrow_batch(self) -> pa.Table | None: ...

    def resume(self) -> None: ...


class EngineConnection(Protocol):
    """One session of the engine on one branch of one repository."""

    @property
    def current_branch(self) -> str: ...

    @property
    def transaction_status(self) -> str: ...

    @property
    def settings(self) -> Any: ...

    @property
    def notices(self) -> list[str]: ...

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> EngineCursor: ...

    def execute_immediate(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None
    ) -> EngineCursor | None: ...

    def describe(self, sql: str) -> pa.Schema | None: ...

    def authorize(self, sql: str) -> None: ...

    def load_arrow(self, table: str, data: pa.Table, create: bool = False, primary_key: Sequence[str] = ()) -> int: ...

    def catalog_tables(self) -> list[TableInfo]: ...

    def add_notice_handler(self, handler: Callable[[str], None]) -> None: ...

    def add_notification_handler(self, handler: Callable[[Any], None]) -> None:
        """``handler(notification)`` (its ``pid``, ``channel`` and ``payload``) for each NOTIFY on a
        channel the session listens on."""

    backend_pid: int

    def cancel(self) -> None: ...

    def close(self) -> None: ...


EngineConnect = Callable[[str, str, bool, str, Rights | None], EngineConnection]
"""``connect(repo, branch, create, user, rights)``: what ``ServerConfig.connect`` holds; the engine
checks ``rights`` (None: everything allowed) on every statement."""


def table_schema(conn: EngineConnection, name: str) -> pa.Schema | None:
    """The Arrow schema of table ``name`` on the connection's branch, or None; never runs a statement
    (a failing probe would abort the client's transaction)."""
    return next((table.schema for table in conn.catalog_tables() if table.name == name), None)
