"""One client connection: startup, authentication, and the simple and extended query protocols.

The asyncio task only moves bytes; every engine call (and the encoding of its
rows) runs in the server's thread pool, so a slow query never stalls another
session. Any protocol violation ends this session alone.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import secrets
import shlex
import ssl
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator

from . import codec, copy_in, copy_out, infer, statements
from . import protocol as pq
from .auth import AuthFailed, ScramExchange, Verifier
from .engine_interface import EngineConnection, table_schema
from .messages import MessageStream
from .pending_rows import PendingRows
from .protocol import ProtocolViolation
from .result_messages import CHUNK_ROWS, TEXT_OID, Outcome, describe_columns, encode_result
from .users import User

if TYPE_CHECKING:
    import pyarrow as pa

    from .app import Server

REPORTED = {  # ParameterStatus names -> setting names; clients read these at connect
    "server_version": "server_version",
    "server_encoding": "server_encoding",
    "client_encoding": "client_encoding",
    "DateStyle": "datestyle",
    "TimeZone": "timezone",
    "integer_datetimes": "integer_datetimes",
    "standard_conforming_strings": "standard_conforming_strings",
    "application_name": "application_name",
    "IntervalStyle": "intervalstyle",
    "is_superuser": "is_superuser",
}
DEFAULT_REPORTED = {
    "server_version": "16.4",
    "server_encoding": "UTF8",
    "client_encoding": "UTF8",
    "datestyle": "ISO, MDY",
    "timezone": "UTC",
    "integer_datetimes": "on",
    "standard_conforming_strings": "on",
    "application_name": "",
    "intervalstyle": "postgres",
    "is_superuser": "off",
}
_DEALLOCATE = re.compile(r'^\s*DEALLOCATE\s+(?:PREPARE\s+)?("[^"]+"|\w+)\s*$', re.IGNORECASE)
_STATUS = {"idle": "I", "in_transaction": "T", "failed": "E"}
_ROLLBACK_TO = re.compile(r"^\s*ROLLBACK\s+(?:WORK\s+|TRANSACTION\s+)?TO\b", re.IGNORECASE)
_ENDS_TRANSACTION = {"COMMIT", "END", "ROLLBACK", "ABORT"}
CANCEL_GRACE_S = 1.0
UNDEFINED_TABLE = "42P01"


class SessionError(Exception):
    """An error reported to the client with a SQLSTATE; ``fatal`` ends the session."""

    def __init__(
        self,
        sqlstate: str,
        message: str,
        fatal: bool = False,
        position: int | None = None,
        detail: str | None = None,
        hint: str | None = None,
        objects: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.sqlstate, self.fatal, self.position = sqlstate, fatal, position
        self.detail, self.hint = detail, hint
        self.objects = objects or {}  # the schema, table, column and constraint the error names


@dataclass
class Prepared:
    sql: str
    param_types: list[int]
    param_oids: list[int] | None = None
    """Every parameter's type, the declared ones completed by the engine (known once asked)."""
    planned: bool = False
    columns: list[pq.Column] | None = None
    """The result columns the engine planned (None: no rows, or none known before it runs)."""


@dataclass
class Portal:
    statement: Prepared
    params: list[Any]
    result_formats: list[int]
    outcome: Outcome | None = None
    pending: PendingRows | None = None  # the rows not yet sent, once an Execute has run it


@dataclass
class Startup:
    user: str
    branch: str
    settings: dict[str, str] = field(default_factory=dict)


def parse_startup_params(params: dict[str, str], served: str) -> Startup:
    """User, branch and settings from the startup packet.

    The branch comes from ``options='-c agentlake.branch=NAME'`` or from the
    database-name shorthand ``repo@branch``; the database must name the served repository.
    """
    user = params.get("user", "")
    if not user:
        raise SessionError("28000", "no PostgreSQL user name specified in startup packet", fatal=True)
    database = params.get("database") or user
    name, _, branch = database.partition("@")
    if name != served:
        raise SessionError("3D000", f'database "{name}" does not exist (this server serves "{served}")', fatal=True)
    settings: dict[str, str] = {}
    for key, value in params.items():
        if key in (
            "application_name",
            "client_encoding",
            "DateStyle",
            "TimeZone",
            "IntervalStyle",
            "search_path",
            "extra_float_digits",
        ):
            settings[key.lower()] = value
    try:
        tokens = shlex.split(params.get("options", ""))
    except ValueError:
        raise SessionError("08P01", "invalid options in startup packet", fatal=True) from None
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "-c" and i + 1 < len(tokens):
            token, i = tokens[i + 1], i + 1
        elif token.startswith("--"):
            token = token[2:]
        elif token.startswith("-c"):
            token = token[2:]
        name_value = token.split("=", 1)
        if len(name_value) == 2:
            settings[
                name_value[0].strip().lower().replace("-", "_")
                if "." not in name_value[0]
                else name_value[0].strip().lower()
            ] = name_value[1]
        i += 1
    branch = settings.pop("agentlake.branch", branch) or "main"
    return Startup(user, branch, settings)


class WireSession:
    def __init__(self, server: "Server", reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.server = server
        self.reader, self.writer = reader, writer
        self.pid = server.next_pid()
        self.secret = secrets.randbits(31)
        self.conn: EngineConnection | None = None
        self.user: User | None = None
        self.tls = False
        self._statements: dict[str, Prepared] = {}
        self._portals: dict[str, Portal] = {}
        self._messages = MessageStream(reader, server.config.max_message)
        self._skip_to_sync = False
        self._implicit = False  # the engine's transaction is the implicit one of an extended-protocol batch
        self._batch_binds = 0  # Bind messages since the last Sync
        self._out: list[bytes] = []
        self._cancel: asyncio.Future | None = None
        self._engine_lock = threading.Lock()
        self._aborted = False  # a canceled (abandoned) statement left the transaction failed
        self._reported: dict[str, str] = {}
        self._at_ready = False  # ReadyForQuery sent, no message since: the client is idle
        self._notifications: list[Any] = []  # received, held until the client is idle outside a block

    # I/O -------------------------------------------------------------------------
    def send(self, data: bytes) -> None:
        self._out.append(data)

    def _write_queued(self) -> None:
        """Hand what ``send`` queued to the transport now, as one write."""
        if self._out:
            data, self._out = b"".join(self._out), []
            self.writer.write(data)

    async def flush(self) -> None:
        """One write per batch of messages: fewer packets and system calls than a write per message."""
        self._write_queued()
        await self.writer.drain()

    async def read_exact(self, n: int) -> bytes:
        return await asyncio.wait_for(self.reader.readexactly(n), self.server.config.read_timeout_s)

    async def read_message(self) -> tuple[bytes, bytes]:
        return await self._messages.next()

    async def _next_command(self) -> tuple[bytes, bytes]:
        """The next message; inside a transaction block, waited for at most
        idle_in_transaction_session_timeout, after which the session ends as PostgreSQL ends it."""
        timeout_ms = (
            self.conn.settings.milliseconds("idle_in_transaction_session_timeout")
            if self.conn is not None and self._status() != "I"
            else 0
        )
        if not timeout_ms:
            return await self.read_message()
        try:
            return await asyncio.wait_for(self.read_message(), timeout_ms / 1000)
        except asyncio.TimeoutError:
            raise SessionError(
                "25P03", "terminating connection due to idle-in-transaction timeout", fatal=True
            ) from None

    # lifecycle -------------------------------------------------------------------------
    async def run(self) -> None:
        try:
            startup = await self._startup()
            if startup is None:
                return
            await self._authenticate(startup)
            await self._open_engine(startup)
            self.server.authenticated(self)
            await self._loop()
        except SessionError as err:
            self._send_error(err.sqlstate, str(err), severity="FATAL" if err.fatal else "ERROR")
        except ProtocolViolation as err:
            self._send_error(err.sqlstate, str(err), severity="FATAL")
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.TimeoutError, ssl.SSLError):
            pass
        finally:
            await self._close()

    async def _close(self) -> None:
        self.server.forget(self)
        try:
            await asyncio.wait_for(self.flush(), 1.0)
        except Exception:
            pass
        self.writer.close()
        if self.conn is not None:
            conn, self.conn = self.conn, None
            try:
                await self._in_thread(conn.close, cancellable=False)
            except RuntimeError:  # the pool is shut down (server exiting): close here
                conn.close()

    async def _startup(self) -> Startup | None:
        while True:
            length = pq.startup_length(await self.read_exact(4))
            message = pq.parse_startup(await self.read_exact(length))
            if message.code == pq.SSL_REQUEST:
                await self._start_tls()
                continue
            if message.code == pq.GSSENC_REQUEST:
                self.send(b"N")
                await self.flush()
                continue
            if message.code == pq.CANCEL_REQUEST:
                self.server.cancel(*message.cancel_key)
                return None
            if self.server.config.require_tls and not self.tls:
                raise SessionError("28000", "this server requires TLS (sslmode=require)", fatal=True)
            if message.params.get("replication"):
                raise SessionError("0A000", "replication connections are not supported", fatal=True)
            return parse_startup_params(message.params, self.server.config.database)

    async def _start_tls(self) -> None:
        context = self.server.config.ssl_context
        if context is None or self.tls:
            self.send(b"N")
            await self.flush()
            return
        self.send(b"S")
        await self.flush()
        await self.writer.start_tls(context)
        self.tls = True

    async def _authenticate(self, startup: Startup) -> None:
        config = self.server.config
        stored = config.users.get(startup.user) if config.users is not None else None
        if config.trust:
            self.user = stored
        else:
            await self._scram(stored)
            self.user = stored
        self.send(pq.auth_ok())

    async def _scram(self, stored: User | None) -> None:
        binding = self.server.config.cert_hash if self.tls else None
        exchange = ScramExchange(Verifier.parse(stored.verifier) if stored else None, binding)
        self.send(pq.auth_sasl(exchange.mechanisms()))
        await self.flush()
        try:
            kind, body = await self.read_message()
            if kind != b"p":
                raise ProtocolViolation("expected SASLInitialResponse")
            r = pq.Reader(body)
            mechanism, size = r.cstring(), r.int32()
            self.send(pq.auth_sasl_continue(exchange.first(mechanism, r.raw(size) if size >= 0 else b"")))
            await self.flush()
            kind, body = await self.read_message()
            if kind != b"p":
                raise ProtocolViolation("expected SASLResponse")
            self.send(pq.auth_sasl_final(exchange.final(body)))
        except AuthFailed as err:
            name = stored.name if stored else "?"
            raise SessionError(
                "28P01", f'password authentication failed for user "{name}" ({err})', fatal=True
            ) from None

    async def _open_engine(self, startup: Startup) -> None:
        rights = self.user.engine_rights() if self.user is not None else None  # None: trust without a stored user
        config = self.server.config

        def open_conn():
            conn = config.connect(config.repo, startup.branch, True, startup.user, rights)
            for name, value in startup.settings.items():
                conn.settings[name] = value
            return conn

        try:
            self.conn = await self._in_thread(open_conn, cancellable=False)
        except Exception as err:  # noqa: BLE001 - every engine error becomes an ErrorResponse
            raise SessionError(getattr(err, "sqlstate", "08006"), str(err), fatal=True) from None
        loop = asyncio.get_running_loop()
        self.conn.add_notice_handler(lambda text: loop.call_soon_threadsafe(self._stream_notice, text))
        self.conn.backend_pid = self.pid
        self.conn.add_notification_handler(lambda sent: loop.call_soon_threadsafe(self._notified, sent))
        self._report_parameters(startup.user)
        self.send(pq.backend_key(self.pid, self.secret))
        self._ready()
        await self.flush()

    def _report_parameters(self, user: str | None = None) -> None:
        values = {}
        for wire, name in REPORTED.items():
            try:
                values[wire] = str(self.conn.settings[name])
            except Exception:  # noqa: BLE001 - a setting the engine lacks falls back to PostgreSQL's default
                values[wire] = DEFAULT_REPORTED[name]
        if user is not None:
            values["session_authorization"] = user
        for name, value in values.items():
            if self._reported.get(name) != value:
                self._reported[name] = value
                self.send(pq.parameter_status(name, value))

    # main loop -------------------------------------------------------------------------
    async def _loop(self) -> None:
        while True:
            if self.server.stopping and self.terminate_if_idle():
                return
            kind, body = await self._next_command()
            self._at_ready = False
            self.server.touch()
            if kind == b"X":
                return
            if self._skip_to_sync and kind not in (b"S", b"X"):
                continue
            handler = self._HANDLERS.get(kind)
            if handler is None:
                if kind in (b"d", b"c", b"f"):
                    continue  # copy messages after a failed COPY are ignored, as PostgreSQL does
                raise ProtocolViolation(f"invalid frontend message type {kind!r}")
            try:
                await handler(self, body)
            except SessionError as err:
                if err.fatal:
                    raise
                self._send_error(
                    err.sqlstate, str(err), err.position, detail=err.detail, hint=err.hint, objects=err.objects
                )
                if kind == b"Q":
                    self._ready()
                else:
                    await self._extended_error()
            if kind in (b"Q", b"S", b"H"):
                await self.flush()

    async def _extended_error(self) -> None:
        """After an error in an extended-protocol batch, as PostgreSQL does: the error goes out at
        once (a pipelining client waits for it, not for a Sync it may not have sent yet), the
        messages up to Sync are skipped, an implicit transaction is rolled back and an explicit
        one is failed (ReadyForQuery says 'E' until ROLLBACK)."""
        self._skip_to_sync = True
        await self.flush()
        if self._implicit:
            self._implicit = False
            await self._end_implicit(failed=True)
        elif self.conn is not None and self.conn.transaction_status == "in_transaction":
            self._aborted = True  # an error the engine did not see (Parse, Bind) still fails the block

    def _ready(self) -> None:
        status = self._status()
        if status == "I":
            self._send_notifications()
        self.send(pq.ready_for_query(status))
        self._at_ready = True

    def _notified(self, notification: Any) -> None:
        """A NOTIFY on one of the session's channels: written at once to a client idle outside a
        transaction block, else before its next ReadyForQuery outside one, as PostgreSQL does."""
        self._notifications.append(notification)
        if self._at_ready and self._status() == "I" and not self.writer.is_closing():
            self._send_notifications()
            self._write_queued()

    def _send_notifications(self) -> None:
        for sent in self._notifications:
            self.send(pq.notification(sent.pid, sent.channel, sent.payload))
        self._notifications.clear()

    def terminate_if_idle(self) -> bool:
        """At shutdown: a session waiting for its next query outside any transaction is closed now;
        True if it was."""
        if not self._at_ready or self._implicit or self._status() != "I":
            return False
        self.terminate()
        return True

    def terminate(self) -> None:
        """FATAL 57P01, as PostgreSQL's shutdown sends, then close; an open transaction is rolled back
        when the session closes its engine connection."""
        if self.writer.is_closing():
            return
        self._send_error("57P01", "terminating connection due to administrator command", severity="FATAL")
        self._write_queued()
        self.writer.close()

    def _status(self) -> str:
        if self._aborted:
            return "E"
        return _STATUS.get(self.conn.transaction_status, "I") if self.conn is not None else "I"

    def _send_error(
        self,
        sqlstate: str,
        message: str,
        position: int | None = None,
        severity: str = "ERROR",
        detail: str | None = None,
        hint: str | None = None,
        objects: dict[str, str] | None = None,
    ) -> None:
        self.send(
            pq.error_response(sqlstate, message, position, severity=severity, detail=detail, hint=hint, objects=objects)
        )

    def _stream_notice(self, text: str) -> None:
        """A NOTICE raised while a statement runs, written now (after what is queued before it), so a
        client sees a long CREATE INDEX advance instead of its whole log at the end."""
        self.send(pq.notice_response(text))
        self._write_queued()

    def _send_notices(self) -> None:
        notices = self.conn.notices if self.conn is not None else None
        if notices:
            for text in list(notices):
                self.send(pq.notice_response(text))
            notices.clear()

    # running statements in threads -----------------------------------------------------------
    async def _in_thread(self, fn: Callable[[], Any], cancellable: bool = True) -> Any:
        def locked():
            with self._engine_lock:
                return fn()

        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.server.pool, locked)
        if not cancellable:
            return await future
        self._cancel = canceled = loop.create_future()
        try:
            done, _ = await asyncio.wait({future, canceled}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._cancel = None
        if future in done:
            return future.result()
        try:
            return await asyncio.wait_for(asyncio.shield(future), CANCEL_GRACE_S)
        except asyncio.TimeoutError:
            # the engine did not stop in time: abandon the statement; its transaction is failed
            future.add_done_callback(lambda f: f.exception())
            if self.conn.transaction_status != "idle":
                self._aborted = True
            raise SessionError("57014", "canceling statement due to user request") from None

    def cancel(self) -> None:
        """CancelRequest from another connection: stop the running statement, if any."""
        if self.conn is not None:
            try:
                self.conn.cancel()
            except Exception:  # noqa: BLE001 - cancel is best effort, like PostgreSQL's
                pass
        if self._cancel is not None and not self._cancel.done():
            self._cancel.set_result(None)

    async def run_in_engine(self, fn: Callable[[], Any], offset: int = 0) -> Any:
        """``fn`` in a worker thread; an engine error becomes the client's error, with its SQLSTATE
        and its position in the query string (shifted by ``offset`` within a multi-statement query)."""
        try:
            return await self._in_thread(fn)
        except SessionError:
            raise
        except Exception as err:  # noqa: BLE001 - engine errors carry their SQLSTATE to the client
            self._send_notices()
            sqlstate = getattr(err, "sqlstate", None) or "XX000"
            position = getattr(err, "position", None)
            raise SessionError(
                sqlstate,
                str(err),
                position=position + offset if position else None,
                detail=getattr(err, "detail", None),
                hint=getattr(err, "hint", None),
                objects=getattr(err, "objects", None),
            ) from None

    async def query_batches(self, sql: str) -> tuple[pa.Schema, Iterator[pa.Table]]:
        """A query's columns and its rows as Arrow batches, run as any statement is (COPY ... TO
        STDOUT's source); the batches are read from the engine as they are iterated, so iterate
        them in ``run_in_engine``."""

        def run() -> tuple[pa.Schema, Iterator[pa.Table]]:
            cursor = self.conn.execute(sql, None)
            first = cursor.fetch_arrow_batch()  # 24000 for a statement that returns no rows
            return first.schema, itertools.chain([first], iter(cursor.fetch_arrow_batch, None))

        found = await self.run_in_engine(run)
        self._send_notices()
        return found

    async def send_rows(self, pending: PendingRows, max_rows: int = 0) -> bool:
        """Send up to ``max_rows`` (0: all) of ``pending``'s rows, written a chunk at a time; True
        when none are left. An error of a later batch follows the rows already sent, as in PostgreSQL."""
        left = max_rows if max_rows > 0 else None
        while not pending.done and (left is None or left > 0):
            rows = await pending.take(self, CHUNK_ROWS if left is None else min(left, CHUNK_ROWS))
            for row in rows:
                self.send(row)
            if left is not None:
                left -= len(rows)
            if not pending.done:
                await self.flush()
        return pending.done

    def _execute_immediate(
        self, sql: str, params: list[Any] | None, formats: list[int] | None, described: list[pq.Column] | None = None
    ) -> Outcome | None:
        """On the event loop: statements the engine answers without planning or I/O (``SELECT 1``, key
        lookups in cached files) cost less than the hop to a worker thread. None: use the thread."""
        key = (sql, tuple(formats or ()))
        reusable = not params and described is None and self.conn.transaction_status == "idle"
        if reusable and key in _CONSTANT_ANSWERS:
            return _CONSTANT_ANSWERS[key]
        if not self._engine_lock.acquire(blocking=False):
            return None
        try:
            cursor = self.conn.execute_immediate(sql, params)
            outcome = None if cursor is None else encode_result(cursor, sql, formats, described)
            if reusable and outcome is not None and cursor.constant:
                _CONSTANT_ANSWERS[key] = outcome
                if len(_CONSTANT_ANSWERS) > 256:
                    _CONSTANT_ANSWERS.pop(next(iter(_CONSTANT_ANSWERS)))
            return outcome
        except Exception:  # noqa: BLE001 - the worker thread runs it again and reports the error
            return None
        finally:
            self._engine_lock.release()

    async def _execute(
        self,
        sql: str,
        params: list[Any] | None,
        formats: list[int] | None,
        offset: int = 0,
        described: list[pq.Column] | None = None,
    ) -> Outcome:
        if self._aborted:
            if statements.first_word(sql) not in _ENDS_TRANSACTION:
                raise SessionError(
                    "25P02", "current transaction is aborted, commands ignored until end of transaction block"
                )
            self._aborted = False
            if not _ROLLBACK_TO.match(sql):  # ROLLBACK TO SAVEPOINT recovers the block, in the engine
                await self._in_thread(lambda: self.conn.execute("ROLLBACK", None), cancellable=False)
                return Outcome(None, [], "ROLLBACK")
        deallocate = _DEALLOCATE.match(sql)
        if deallocate and self._deallocate(deallocate.group(1)):
            return Outcome(None, [], "DEALLOCATE")
        outcome = self._execute_immediate(sql, params, formats, described)
        if outcome is not None:
            return outcome
        outcome = await self.run_in_engine(
            lambda: encode_result(self.conn.execute(sql, params), sql, formats, described), offset
        )
        self._send_notices()
        if statements.first_word(sql) in ("SET", "RESET"):
            self._report_parameters()
        return outcome

    def _deallocate(self, name: str) -> bool:
        """DEALLOCATE of the protocol's named statements, which live in this session (psycopg sends
        DEALLOCATE ALL after schema changes); True when ``name`` was one. The engine deallocates
        the SQL PREPARE's (all of them too, for ALL), and answers 26000 for a name neither has."""
        if name.upper() == "ALL":
            self._statements = {k: v for k, v in self._statements.items() if not k}
            return False
        return self._statements.pop(name.strip('"'), None) is not None

    # simple query ------------------------------------------------------------------------
    async def _simple_query(self, body: bytes) -> None:
        """Every statement answered in turn; several statements without transaction control run as one
        implicit transaction, as in PostgreSQL, so a failure part-way commits none of them."""
        sql = pq.Reader(body).cstring()
        if self._implicit:  # a simple query ends an unsynced extended batch by committing it, as in PostgreSQL
            self._implicit = False
            await self._end_implicit(failed=False)
        parts = statements.split(sql)
        if not parts:
            self.send(pq.empty_query())
        implicit = (
            len(parts) > 1
            and self.conn.transaction_status == "idle"
            and not self._aborted
            and not any(statements.controls_transaction(text) for _, text in parts)
        )
        if implicit:
            await self._in_thread(lambda: self.conn.execute("BEGIN", None), cancellable=False)
        failed = False
        for offset, text in parts:
            try:
                copy = statements.parse_copy_from_stdin(text)
                if copy is not None:
                    self.send(pq.command_complete(await copy_in.run(self, *copy)))
                    continue
                export = statements.parse_copy_to_stdout(text)
                if export is not None:
                    self.send(pq.command_complete(await copy_out.run(self, *export)))
                    continue
                outcome = await self._execute(text, None, None, offset)
                if outcome.columns is not None:
                    self.send(pq.row_description(outcome.columns))
                pending = PendingRows(outcome)
                await self.send_rows(pending)
            except SessionError as err:
                if err.fatal:
                    raise
                self._send_error(
                    err.sqlstate, str(err), err.position, detail=err.detail, hint=err.hint, objects=err.objects
                )
                failed = True
                break
            self.send(pq.command_complete(pending.tag))
            await self.flush()
        if implicit:
            await self._end_implicit(failed)
        self._ready()

    async def _end_implicit(self, failed: bool) -> None:
        end = "ROLLBACK" if failed else "COMMIT"
        try:
            await self._in_thread(lambda: self.conn.execute(end, None), cancellable=False)
        except Exception as err:  # noqa: BLE001 - a failed implicit COMMIT (e.g. a conflict) is the query's error
            self._send_error(getattr(err, "sqlstate", None) or "XX000", str(err))
        self._aborted = False

    # extended query ------------------------------------------------------------------------
    async def _parse(self, body: bytes) -> None:
        msg = pq.parse_parse(body)
        if msg.name and msg.name in self._statements:
            raise SessionError("42P05", f'prepared statement "{msg.name}" already exists')
        if len(statements.split(msg.query)) > 1:
            raise SessionError("42601", "cannot insert multiple commands into a prepared statement")
        self._statements[msg.name] = Prepared(msg.query, msg.param_types)
        self.send(pq.parse_complete())

    async def _learn_types(self, stmt: Prepared, *, columns: bool) -> None:
        """Fill in ``stmt.param_oids`` (declared, else the types of the columns they meet, else text)
        and, with ``columns``, the result columns the engine plans, in one trip to a worker thread.
        Bind needs only the parameters: an unnamed statement (psycopg's before it prepares one) is
        bound once and its rows describe themselves, and planning it would cost as much as running it."""
        need_params = stmt.param_oids is None
        need_columns = columns and not stmt.planned
        if not (need_params or need_columns):
            return
        count = max(len(stmt.param_types), _count_params(stmt.sql))
        untyped = need_params and (len(stmt.param_types) < count or 0 in stmt.param_types)
        conn, sql = self.conn, stmt.sql

        def ask() -> tuple[dict, Any]:
            inferred = infer.column_params(sql, lambda name: table_schema(conn, name)) if untyped else {}
            return inferred, self._planned_columns(sql) if need_columns else None

        inferred, schema = await self._in_thread(ask, cancellable=False) if untyped or need_columns else ({}, None)
        if need_params:
            declared = stmt.param_types + [0] * (count - len(stmt.param_types))
            stmt.param_oids = [oid or inferred.get(i + 1, TEXT_OID) for i, oid in enumerate(declared)]
        if need_columns:
            stmt.columns = describe_columns(schema) if schema is not None else None
            stmt.planned = True

    def _planned_columns(self, sql: str) -> Any:
        """In a worker thread: the engine's plan of the result's schema, or None where it has none."""
        if not statements.strip_comments(sql).strip():
            return None
        try:
            return self.conn.describe(sql)
        except Exception as err:  # noqa: BLE001 - undescribable statements still run; their rows describe themselves
            if getattr(err, "sqlstate", None) == UNDEFINED_TABLE:  # as PostgreSQL's parse analysis refuses it
                raise SessionError(UNDEFINED_TABLE, str(err)) from None
            return None

    async def _bind(self, body: bytes) -> None:
        msg = pq.parse_bind(body)
        stmt = self._statements.get(msg.statement)
        if stmt is None:
            raise SessionError("26000", f'prepared statement "{msg.statement}" does not exist')
        if msg.portal and msg.portal in self._portals:
            raise SessionError("42P03", f'cursor "{msg.portal}" already exists')
        oids = stmt.param_types
        if len(oids) < len(msg.params) or 0 in oids:  # unknown types: ask the engine (once per statement)
            await self._learn_types(stmt, columns=False)
            oids = stmt.param_oids
        if len(msg.params) != len(oids) and len(msg.params) != len(stmt.param_types):
            raise SessionError(
                "08P01",
                f"bind message supplies {len(msg.params)} parameters, but prepared "
                f'statement "{msg.statement}" requires {len(oids)}',
            )
        formats = pq.per_column(msg.param_formats, len(msg.params))
        try:
            params = [
                codec.decode(oids[i] if i < len(oids) else 0, formats[i], value) for i, value in enumerate(msg.params)
            ]
        except codec.CodecError as err:
            raise SessionError(err.sqlstate, str(err)) from None
        self._portals[msg.portal] = Portal(stmt, params, msg.result_formats)
        self._batch_binds += 1
        self.send(pq.bind_complete())

    async def _run_portal(self, portal: Portal) -> Outcome:
        if portal.outcome is None:
            if statements.parse_copy_from_stdin(portal.statement.sql) or statements.parse_copy_to_stdout(
                portal.statement.sql
            ):
                raise SessionError(
                    "0A000", "COPY FROM STDIN and TO STDOUT are supported in the simple query protocol only"
                )
            described = portal.statement.columns
            portal.outcome = await self._in_batch(portal.statement.sql) or await self._execute(
                portal.statement.sql, portal.params, portal.result_formats, described=described
            )
        return portal.outcome

    async def _in_batch(self, sql: str) -> Outcome | None:
        """PostgreSQL's implicit transaction for an extended-protocol batch: opened before a statement
        that others follow before Sync (so a failure part-way commits none of them), committed at
        Sync. Transaction control inside it acts as in PostgreSQL: BEGIN turns it into an explicit
        block, COMMIT and ROLLBACK end it with a warning, savepoints are refused. Returns the
        outcome of a statement answered here, else None: run it."""
        word = statements.first_word(sql)
        if self._implicit:
            if word in ("BEGIN", "START"):
                self._implicit = False
                return Outcome(None, [], "BEGIN" if word == "BEGIN" else "START TRANSACTION")
            rollback_to = _ROLLBACK_TO.match(sql)
            if word in ("SAVEPOINT", "RELEASE") or rollback_to:
                name = "ROLLBACK TO SAVEPOINT" if rollback_to else "RELEASE SAVEPOINT" if word == "RELEASE" else word
                raise SessionError("25P01", f"{name} can only be used in transaction blocks")
            if word in _ENDS_TRANSACTION:
                self._implicit = False
                self.send(pq.notice_response("there is no transaction in progress", "25P01", "WARNING"))
            return None
        if (
            self.conn.transaction_status == "idle"
            and not self._aborted
            and not statements.controls_transaction(sql)
            and (self._batch_binds > 1 or await self._messages.statement_ahead())
        ):
            await self._in_thread(lambda: self.conn.execute("BEGIN", None), cancellable=False)
            self._implicit = True
        return None

    async def _describe(self, body: bytes) -> None:
        kind, name = pq.parse_target(body)
        if kind == "S":
            stmt = self._statements.get(name)
            if stmt is None:
                raise SessionError("26000", f'prepared statement "{name}" does not exist')
            await self._learn_types(stmt, columns=True)
            self.send(pq.parameter_description(stmt.param_oids))
            self.send(pq.row_description(stmt.columns) if stmt.columns else pq.no_data())
            return
        portal = self._portals.get(name)
        if portal is None:
            self.send(pq.row_description(await self._sql_cursor_columns(name)))
            return
        if not statements.strip_comments(portal.statement.sql).strip():
            self.send(pq.no_data())
            return
        outcome = await self._run_portal(portal)
        self.send(pq.row_description(outcome.columns) if outcome.columns is not None else pq.no_data())

    async def _sql_cursor_columns(self, name: str) -> list[pq.Column]:
        """A portal that DECLARE opened, which PostgreSQL names as Bind does (psycopg's named cursors
        describe theirs so): the columns its FETCH returns."""
        fetch = 'FETCH FORWARD 0 FROM "' + name.replace('"', '""') + '"'
        try:
            schema = await self._in_thread(lambda: self.conn.describe(fetch), cancellable=False)
        except Exception:  # noqa: BLE001 - neither kind of portal: PostgreSQL's error for a missing one
            raise SessionError("34000", f'portal "{name}" does not exist') from None
        return describe_columns(schema)

    async def _execute_message(self, body: bytes) -> None:
        name, max_rows = pq.parse_execute(body)
        portal = self._portals.get(name)
        if portal is None:
            raise SessionError("34000", f'portal "{name}" does not exist')
        if not statements.strip_comments(portal.statement.sql).strip():
            self.send(pq.empty_query())
            return
        outcome = await self._run_portal(portal)
        if portal.pending is None:
            portal.pending = PendingRows(outcome)
        else:
            portal.pending.resume()
        if await self.send_rows(portal.pending, max_rows):
            self.send(pq.command_complete(portal.pending.tag))
        else:
            self.send(pq.portal_suspended())

    async def _sync(self, body: bytes) -> None:
        self._skip_to_sync = False
        self._batch_binds = 0
        if self._implicit:
            self._implicit = False
            await self._end_implicit(failed=False)
        self._portals.pop("", None)
        if self.conn is not None and self.conn.transaction_status == "idle" and not self._aborted:
            self._portals.clear()  # portals live until the end of the transaction
        self._ready()

    async def _close_target(self, body: bytes) -> None:
        kind, name = pq.parse_target(body)
        (self._statements if kind == "S" else self._portals).pop(name, None)
        self.send(pq.close_complete())

    async def _flush_message(self, body: bytes) -> None:
        pass

    async def _stray_password(self, body: bytes) -> None:
        raise ProtocolViolation("unexpected password message")

    _HANDLERS = {
        b"Q": _simple_query,
        b"P": _parse,
        b"B": _bind,
        b"D": _describe,
        b"E": _execute_message,
        b"S": _sync,
        b"C": _close_target,
        b"H": _flush_message,
        b"p": _stray_password,
    }


_CONSTANT_ANSWERS: dict[tuple, Outcome] = {}  # encoded answers to constant SELECTs (pool health checks)
_PLACEHOLDER = re.compile(r"\$(\d+)")


def _count_params(sql: str) -> int:
    """The highest $n in the text (outside nothing fancier: quotes holding $n are rare in client SQL)."""
    return max((int(n) for n in _PLACEHOLDER.findall(sql)), default=0)
