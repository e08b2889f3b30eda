"""The asyncio server: accepts connections, owns the thread pool, idle exit and graceful shutdown."""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import logging
import os
import signal
import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from ..engine.rights import Rights
from .engine_interface import EngineConnect, EngineConnection
from .processes import CANCEL, READY
from .protocol import DEFAULT_MAX_MESSAGE
from .session import WireSession
from .users import UserStore

log = logging.getLogger("agentlake.server")


def engine_connect(repo: str, branch: str, create: bool, user: str, rights: Rights | None) -> EngineConnection:
    """The default engine: ``agentlake.connect`` on the served repository, limited to the user's rights
    (the engine checks them on every statement)."""
    from ..api.connection import connect

    return connect(repo, branch, create=create, user=user, rights=rights)


@dataclass
class ServerConfig:
    repo: str
    database: str
    connect: EngineConnect = engine_connect
    users: UserStore | None = None
    trust: bool = False
    host: str = "127.0.0.1"
    port: int = 5432
    tls_cert: str | None = None
    tls_key: str | None = None
    require_tls: bool = False
    idle_exit_s: float | None = None
    max_message: int = DEFAULT_MAX_MESSAGE
    read_timeout_s: float = 60.0
    shutdown_grace_s: float = 30.0  # how long open transactions may go on after SIGTERM
    workers: int = 64
    reuse_port: bool = False  # one of several engine processes listening on the port (``processes``)
    ssl_context: ssl.SSLContext | None = field(default=None, init=False)
    cert_hash: bytes | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.trust and not is_loopback(self.host):
            raise ValueError("trust mode (no passwords) is allowed on loopback addresses only")
        if self.require_tls and not self.tls_cert:
            raise ValueError("--require-tls needs --tls-cert and --tls-key")
        if self.tls_cert:
            from .auth import certificate_hash

            self.ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.ssl_context.load_cert_chain(self.tls_cert, self.tls_key)
            with open(self.tls_cert, encoding="ascii") as fh:
                self.cert_hash = certificate_hash(ssl.PEM_cert_to_DER_cert(fh.read()))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Server:
    """One listening socket; sessions are tasks, statements run in ``pool``."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.pool = ThreadPoolExecutor(config.workers, thread_name_prefix="agentlake-query")
        self.sessions: dict[int, WireSession] = {}
        self._tasks: set[asyncio.Task] = set()
        self._pids = itertools.count(os.getpid() * 1000 % 2_000_000_000 + 1)
        self.last_activity = time.monotonic()
        self._server: asyncio.base_events.Server | None = None
        self._stopping: asyncio.Event | None = None
        self.port = config.port
        self.relay: socket.socket | None = None
        """With ``--processes``: the socket to the supervisor, which passes cancel requests for
        sessions of other engine processes between them (``processes``)."""

    def next_pid(self) -> int:
        return next(self._pids) & 0x7FFFFFFF

    def touch(self) -> None:
        self.last_activity = time.monotonic()

    def authenticated(self, session: WireSession) -> None:
        self.sessions[session.pid] = session
        self.touch()

    def forget(self, session: WireSession) -> None:
        if self.sessions.pop(session.pid, None) is not None:
            self.touch()

    def cancel(self, pid: int, secret: int, relayed: bool = False) -> None:
        """A CancelRequest: cancel the session it names if it is here; otherwise it may be another
        engine process's, so the supervisor passes it on (unless it came from there)."""
        session = self.sessions.get(pid)
        if session is not None:
            if session.secret == secret:
                session.cancel()
        elif self.relay is not None and not relayed:
            try:
                self.relay.send(CANCEL.pack(pid, secret))
            except OSError:  # the supervisor is gone: the server is stopping
                pass

    def _read_relay(self) -> None:
        try:
            message = self.relay.recv(64)
        except BlockingIOError:
            return
        except OSError:
            message = b""
        if len(message) == CANCEL.size:
            self.cancel(*CANCEL.unpack(message), relayed=True)
        elif not message:  # the supervisor died: no one passes SIGTERM on any more, so stop now
            asyncio.get_running_loop().remove_reader(self.relay.fileno())
            self.stop()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        try:
            await WireSession(self, reader, writer).run()
        except Exception:  # noqa: BLE001 - one broken session must never take the server down
            log.exception("session failed")
            writer.close()
        finally:
            self._tasks.discard(task)

    async def start(self, sock: socket.socket | None = None, listen: bool = True) -> None:
        self._stopping = asyncio.Event()
        if not listen:
            return
        if sock is not None:
            self._server = await asyncio.start_server(self._handle, sock=sock, limit=2**20)
        else:
            self._server = await asyncio.start_server(
                self._handle,
                self.config.host,
                self.config.port,
                limit=2**20,
                reuse_address=True,
                reuse_port=self.config.reuse_port or None,
            )
        self.port = self._server.sockets[0].getsockname()[1]

    async def adopt(self, conn: socket.socket) -> None:
        """Serve a connection accepted elsewhere (the on-demand listener hands sockets over)."""
        reader, writer = await asyncio.open_connection(sock=conn, limit=2**20)
        self.touch()
        asyncio.ensure_future(self._handle(reader, writer))

    @property
    def stopping(self) -> bool:
        return self._stopping is not None and self._stopping.is_set()

    def stop(self) -> None:
        """PostgreSQL's fast shutdown, with a grace period for work in flight: idle sessions are
        told 57P01 and closed at once; one in a transaction (or running a statement) goes on until
        it is idle again or ``shutdown_grace_s`` passes, then gets the same."""
        if self._stopping is None or self._stopping.is_set():
            return
        self._stopping.set()
        for session in list(self.sessions.values()):
            session.terminate_if_idle()

    async def serve(self) -> None:
        """Run until stopped (SIGTERM, idle exit), then stop accepting and shut the sessions down."""
        watcher = asyncio.ensure_future(self._watch_idle()) if self.config.idle_exit_s else None
        await self._stopping.wait()
        if watcher is not None:
            watcher.cancel()
        if self._server is not None:
            self._server.close()
        pending = [t for t in self._tasks if not t.done()]
        if pending:
            _, late = await asyncio.wait(pending, timeout=self.config.shutdown_grace_s)
            for session in list(self.sessions.values()):
                session.terminate()
            if late:
                await asyncio.wait(late, timeout=1.0)  # each closes its engine connection (rolls back)
            for task in late:
                task.cancel()
        self.pool.shutdown(wait=False, cancel_futures=True)

    async def _watch_idle(self) -> None:
        limit = self.config.idle_exit_s
        while True:
            await asyncio.sleep(min(limit / 4, 1.0))
            if not self.sessions and time.monotonic() - self.last_activity >= limit:
                log.info("no session for %.1f s: exiting", limit)
                self.stop()
                return


async def run_server(
    config: ServerConfig,
    sock: socket.socket | None = None,
    ready: Callable[[Server], None] | None = None,
    handover: socket.socket | None = None,
    listen: bool | None = None,
    relay: socket.socket | None = None,
) -> None:
    """Serve until SIGTERM/SIGINT or idle exit.

    ``handover`` is a Unix socket on which the on-demand listener passes client
    sockets; with it (and ``listen`` left unset) the server opens no port of its own.
    ``relay`` is the supervisor's socket when this is one of several engine processes
    accepting on ``sock`` (``processes``).
    """
    server = Server(config)
    await server.start(sock, listen=handover is None if listen is None else listen)
    loop = asyncio.get_running_loop()
    if relay is not None:
        server.relay = relay
        relay.setblocking(False)
        loop.add_reader(relay.fileno(), server._read_relay)
        relay.send(READY)
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, server.stop)
        except (RuntimeError, ValueError):  # not the main thread (tests run servers in threads)
            pass
    if handover is not None:
        from .ondemand import receive_sockets

        receiver = asyncio.ensure_future(receive_sockets(handover, server))

        async def stop_receiving() -> None:  # a stopping engine refuses new sockets, so the listener restarts one
            await server._stopping.wait()
            receiver.cancel()

        asyncio.ensure_future(stop_receiving())
    if ready is not None:
        ready(server)
    await server.serve()
