"""``agentlake.connect``: a PEP 249 connection to one branch of a repository."""

from __future__ import annotations

import contextlib
import functools
from typing import Any, Callable, Iterator, Mapping, Sequence

import pyarrow as pa

from catalog import CatalogError, RefNotFound, Repository
from catalog.names import validate_ref_name

from ..engine import branching
from ..engine.authorize import authorize
from ..engine.generated_columns import fill_generated
from ..engine.notifications import Notification
from ..engine.repositories import open_repository
from ..engine.rich_columns import conform_table, declared_schema
from ..engine.rights import READ, WRITE, Rights, require
from ..engine.session import Session
from ..engine.settings import Settings
from ..errors import Error, InterfaceError, from_catalog
from ..results import Result
from .cursor import Cursor


def connect(
    repo: str | Repository = "default",
    branch: str = "main",
    *,
    create: bool = True,
    from_: str = "main",
    durability: str = "full",
    user: str | None = None,
    settings: Mapping[str, str] | None = None,
    storage_options: dict | None = None,
    autocommit: bool = True,
    rights: Rights | None = None,
) -> "Connection":
    """Open a connection to ``branch`` of ``repo`` (a name under $AGENTLAKE_HOME or an fsspec URL).

    A missing branch is created from ``from_`` when ``create`` is true (the
    agent-per-branch workflow); otherwise connecting to it fails with 3F000.
    ``rights`` limit what the connection may read and write (a server passes its
    authenticated user's); without them everything is allowed. Creating the
    branch needs write on it; using it, read.
    """
    try:
        repository = open_repository(repo, durability, storage_options, create=create)
        validate_ref_name(branch)
        require(rights, branch, READ)  # before its existence: a branch one may not read is not revealed
        try:
            repository.head(branch)
        except RefNotFound:
            if not create or (rights is not None and not rights.may(branch, WRITE)):
                raise  # a branch this user may not create does not exist for them
            repository.create_branch(branch, from_=from_, exist_ok=True)
    except CatalogError as err:
        raise from_catalog(err) from None
    overrides = {"agentlake.durability": durability, **(settings or {})}
    return Connection(Session(repository, branch, Settings(overrides), user=user, rights=rights), autocommit=autocommit)


class Connection:
    """PEP 249 connection; ``execute`` returns a cursor, as in psycopg 3.

    Autocommit is on by default: every statement is its own commit. With
    ``autocommit=False`` the first statement opens a transaction that lasts
    until :meth:`commit` or :meth:`rollback`, as PEP 249 prescribes.
    """

    def __init__(self, session: Session, autocommit: bool = True) -> None:
        self._session = session
        self.autocommit = autocommit
        self.closed = False

    # PEP 249 ---------------------------------------------------------------
    def cursor(self) -> Cursor:
        self._check_open()
        return Cursor(self)

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> Cursor:
        return self.cursor().execute(sql, params)

    def executemany(self, sql: str, seq_of_params) -> Cursor:
        return self.cursor().executemany(sql, seq_of_params)

    def commit(self) -> None:
        self._check_open()
        if self._session.transaction_status != "idle":
            self._session.commit()

    def rollback(self) -> None:
        self._check_open()
        self._session.rollback()

    def close(self) -> None:
        if not self.closed:
            self._session.close()
            self.closed = True

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.rollback()
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Connection"]:
        """``with db.transaction():`` commits on success and rolls back on error; nests as savepoints."""
        session = self._session
        if session.transaction_status == "in_transaction":
            name = f"_agentlake_sp_{id(object())}"
            session.savepoint(name)
            try:
                yield self
            except BaseException:
                session.rollback_to(name)
                raise
            session.release(name)
            return
        session.begin()
        try:
            yield self
        except BaseException:
            session.rollback()
            raise
        self._call(session.commit)

    def execute_immediate(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> Cursor | None:
        """Run ``sql`` only if it is answered without planning or file reads (constant SELECTs,
        primary-key lookups on cached files); otherwise run nothing and return None.

        For servers, which call it on their event loop and send everything else to a thread.
        """
        self._check_open()
        if not self.autocommit and self._session.transaction_status == "idle":
            return None
        result = self._session.execute_immediate(sql, params)
        if result is None:
            return None
        cursor = Cursor(self)
        cursor._set(result)
        return cursor

    def describe(self, sql: str) -> pa.Schema | None:
        """The columns ``sql`` would return, planned but not run (None for statements that return no
        rows): what a PostgreSQL client learns from Describe before it binds parameters.

        Placeholders (``$1``) stay unbound. Raises for what cannot be planned before it runs
        (several statements at once, statement kinds the engine cannot describe).
        """
        from ..pgcatalog.engine_hook import sync_session

        self._check_open()
        sync_session(self._session, sql)
        return self._call(self._session.describe, sql)

    def authorize(self, sql: str) -> None:
        """Raise 42501 if this connection's user may not run ``sql`` (one statement); runs nothing.
        A server asks before it accepts COPY data, as PostgreSQL refuses before CopyInResponse."""
        from ..engine import frontend

        self._check_open()
        for statement in frontend.parse_unbound(sql):
            authorize(self._session, statement)

    # engine access -----------------------------------------------------------
    def _run(self, sql: str, params) -> Result:
        from ..pgcatalog.engine_hook import sync_session

        self._check_open()
        sync_session(self._session, sql)  # pg_catalog and information_schema answer here as over the wire
        if not self.autocommit and self._session.transaction_status == "idle":
            self._session.begin()
        return self._session.execute(sql, params)[-1]

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Error:
            raise
        except CatalogError as err:
            raise from_catalog(err) from None

    def _check_open(self) -> None:
        if self.closed:
            raise InterfaceError("connection is closed")

    # session facts -----------------------------------------------------------
    @property
    def current_branch(self) -> str:
        return self._session.branch

    @property
    def repository(self) -> Repository:
        return self._session.repo

    @property
    def settings(self) -> Settings:
        return self._session.settings

    @property
    def transaction_status(self) -> str:
        """'idle', 'in_transaction' or 'failed' — the ReadyForQuery states of PostgreSQL."""
        return self._session.transaction_status

    @property
    def notices(self) -> list[str]:
        """NOTICE messages not yet read, while no handler is registered."""
        return self._session.notices

    def add_notice_handler(self, handler: Callable[[str], None]) -> None:
        """Call ``handler(message)`` for each NOTICE as the statement raising it runs (psycopg's
        name): CREATE INDEX reports its progress this way."""
        self._session.notice_handlers.append(handler)

    def catalog_tables(self) -> list:
        """Tables and their constraints as the pg_catalog emulation describes them."""
        from ..pgcatalog.engine_hook import tables_of

        return tables_of(self._session.snapshot)

    @property
    def backend_pid(self) -> int:
        """This session's process id: pg_backend_pid(), and the sender id of its notifications."""
        return self._session.backend_pid

    @backend_pid.setter
    def backend_pid(self, pid: int) -> None:
        self._session.backend_pid = pid

    def notifications(self) -> list[Notification]:
        """The notifications received on this session's LISTEN channels since the last call, while
        no handler is registered."""
        received = self._session.notifications.received
        out = list(received)
        received.clear()
        return out

    def add_notification_handler(self, handler: Callable[[Notification], None]) -> None:
        """Call ``handler(notification)`` as each arrives, from the thread of the session that
        committed it (the server delivers them to its clients this way)."""
        self._session.notifications.handlers.append(handler)

    def cancel(self) -> None:
        """Ask the running statement to stop (callable from another thread)."""
        self._session.cancel()

    # branches ----------------------------------------------------------------
    def branch(self, name: str | None = None, from_: str | None = None, ttl: float | None = None) -> str:
        """Create branch ``name`` from ``from_`` (this branch by default); with no name, return this branch's."""
        if name is None:
            return self._session.branch
        return self._call(branching.create_branch, self._session, name, from_, ttl)

    def checkout(self, name: str, create: bool = False, from_: str | None = None) -> str:
        """Switch this connection to another branch (outside a transaction)."""
        return self._call(branching.checkout, self._session, name, create, from_)

    def merge(self, into: str = "main", strategy: str = "fail", source: str | None = None) -> str:
        """Merge this branch into ``into``; a conflict raises with ``.conflicts`` attached."""
        return self._call(branching.merge, self._session, into, strategy, source)

    def log(self, ref: str | None = None, limit: int | None = None, after: str | None = None) -> pa.Table:
        """Commits newest first, ``limit`` at a time: pass the last commit of a page as ``after`` for the next."""
        return self._call(branching.log, self._session, ref, limit, after)

    def diff(self, a: str, b: str | None = None):
        """Per-table row changes from ``a`` to ``b`` (this branch by default)."""
        return self._call(branching.diff, self._session, a, b or self._session.branch)

    def tag(self, name: str, ref: str | None = None) -> str:
        return self._call(branching.tag, self._session, name, ref)

    def load_arrow(self, table: str, data, create: bool = False, primary_key: Sequence[str] = ()) -> int:
        """Bulk-append an Arrow table (or pandas/polars frame) to ``table`` in one commit.

        With ``create=True`` a missing table is created from the data's schema.
        Rows are checked like INSERT's (types, NOT NULL, primary key).
        """
        self._check_open()
        rows = _as_arrow(data)

        def load(tx) -> int:
            if create and table not in tx.tables:
                tx.create_table(table, declared_schema(rows.schema), list(primary_key))
            manifest = tx.manifest(table)
            session = self._session
            tx.append(
                table, fill_generated(session, conform_table(session.repo.storage, rows, manifest.schema), manifest)
            )
            return rows.num_rows

        return self._call(self._session.write_statement, load)

    def search(
        self,
        table: str,
        column: str,
        queries,
        k: int = 10,
        where: str | None = None,
        params: Sequence[Any] | None = None,
        metric: str = "l2",
        columns: Sequence[str] = (),
    ):
        """Top-k neighbours of every row of ``queries`` (a 2-D array), with an optional SQL filter.

        Returns a :class:`agentlake.vector.batch_search.SearchResult`: ids (primary keys, or rowids for tables
        without one), distances and the requested columns as (queries x k) arrays, or ``.to_arrow()``.
        """
        from ..vector.batch_search import search

        self._check_open()
        row_filter = functools.partial(self._session.row_filter, table, where, params) if where else None
        return self._call(search, self._session, table, column, queries, k, row_filter, metric, columns)

    def branches(self) -> list[str]:
        return sorted(self._session.repo.branches())


def _as_arrow(data) -> pa.Table:
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if hasattr(data, "to_arrow"):
        return data.to_arrow()
    return pa.Table.from_pandas(data, preserve_index=False)


__all__ = ["Connection", "connect", "open_repository"]
