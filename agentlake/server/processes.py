"""Several engine processes serving one port (``agentlake serve --processes N``).

A Python process runs Python on one core at a time, so a single engine process serves its sessions'
statements one after another however many cores the machine has. Here one supervisor holds the
port and starts N engine processes that each listen on it with ``SO_REUSEPORT``: the kernel spreads
new connections over them by address (one shared listening socket would not: an asyncio server
accepts every connection waiting when it wakes, so one process took most of them). Each engine opens the repository itself; engines share it as any
processes do, through the catalog's commit protocol (a ref swapped under its journal's lock, read
afresh by every statement), so what one engine commits the others read at their next statement,
and advisory locks already span processes.

The supervisor runs no statements (this module needs only the standard library) and:

- starts the first engine alone (it creates a new repository), the others once it listens;
- restarts an engine that dies while serving (its sessions are lost, as a PostgreSQL backend's are);
  one that dies while starting ends the whole server with an error instead of looping;
- passes SIGTERM and SIGINT on, so every engine drains its sessions (``Server.stop``), and waits;
- relays cancel requests: a CancelRequest arrives on a new connection, which may reach another
  engine than the session it names; an engine that does not know the key sends it here, and it goes
  to every other engine.
"""

from __future__ import annotations

import contextlib
import select
import signal
import socket
import struct
import subprocess
import sys
import time
from typing import Callable, Iterator

CANCEL = struct.Struct("!qq")
"""A relayed cancel request: the session's process id and secret key, as the client sent them."""
READY = b"ready"
"""What an engine sends on its relay socket once it accepts connections."""
POLL_S = 0.5
START_TIMEOUT_S = 120.0


@contextlib.contextmanager
def reserve_port(host: str, port: int) -> Iterator[int]:
    """Bind ``host:port`` with ``SO_REUSEPORT`` without listening, so that the engines can listen on
    it and no other program takes it while one restarts; yields the port (chosen here for 0)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        holder.bind((host, port))
        yield holder.getsockname()[1]


class Engine:
    """One engine process and the supervisor's end of its relay socket."""

    def __init__(self, command: list[str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.relay = ours
        self.process = subprocess.Popen([*command, "--relay-fd", str(theirs.fileno())], pass_fds=(theirs.fileno(),))
        theirs.close()
        self.ready = False

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        self.relay.close()


def supervise(command: list[str], processes: int, grace_s: float, ready: Callable[[], None]) -> int:
    """Run ``processes`` engines (``command``: an engine's ``serve`` command line) until SIGTERM or
    SIGINT; the exit status. ``ready`` is called once all of them accept connections."""
    stopping: list[int] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _frame: stopping.append(signum))
    engines = [Engine(command)]
    if not _wait_ready(engines[:1], stopping):
        return _stop(engines, grace_s) or (0 if stopping else 1)
    engines += [Engine(command) for _ in range(processes - 1)]
    if not _wait_ready(engines, stopping):
        return _stop(engines, grace_s) or (0 if stopping else 1)
    ready()
    while not stopping:
        readable, _, _ = select.select([e.relay for e in engines], [], [], POLL_S)
        for engine in [e for e in engines if e.relay in readable]:
            _relay(engine, engines)
        for index, engine in enumerate(engines):
            if engine.alive():
                continue
            engine.close()
            if not engine.ready:
                print(
                    f"agentlake: an engine process failed to start (exit {engine.process.returncode})",
                    file=sys.stderr,
                    flush=True,
                )
                _stop(engines, grace_s)
                return 1
            print(
                f"agentlake: engine process {engine.process.pid} exited ({engine.process.returncode}); "
                "starting another",
                file=sys.stderr,
                flush=True,
            )
            engines[index] = Engine(command)
    return _stop(engines, grace_s)


def _wait_ready(engines: list[Engine], stopping: list[int]) -> bool:
    """Whether every engine came to accept connections (False: one died, or SIGTERM came first)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while not stopping and all(e.alive() for e in engines) and time.monotonic() < deadline:
        if all(e.ready for e in engines):
            return True
        readable, _, _ = select.select([e.relay for e in engines if not e.ready], [], [], POLL_S)
        for engine in [e for e in engines if e.relay in readable]:
            _relay(engine, engines)
    return False


def _relay(sender: Engine, engines: list[Engine]) -> None:
    """Read one message of ``sender``: its readiness, or a cancel request for the other engines."""
    try:
        message = sender.relay.recv(64)
    except OSError:
        return
    if message == READY:
        sender.ready = True
    elif len(message) == CANCEL.size:
        for engine in engines:
            if engine is not sender and engine.alive():
                try:
                    engine.relay.send(message)
                except OSError:  # exiting: it has no sessions to cancel
                    pass


def _stop(engines: list[Engine], grace_s: float) -> int:
    """SIGTERM every engine and wait for each to drain its sessions (killed after the grace period)."""
    for engine in engines:
        if engine.alive():
            engine.process.send_signal(signal.SIGTERM)
    status = 0
    deadline = time.monotonic() + grace_s + 10
    for engine in engines:
        try:
            code = engine.process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            engine.process.kill()
            code = engine.process.wait()
        engine.close()
        status = status or (code if code > 0 else 0)
    return status
