"""Scale to zero: a listener that imports only the standard library and starts the engine on demand.

Run as a script (``python .../ondemand.py``), so not even the agentlake package
is imported: idle cost is one small Python process. At the first connection
it starts the engine server (``python -m agentlake.server.cli serve ...
--handover-fd N``) and passes each accepted client socket to it over a Unix
socket pair (SCM_RIGHTS); the engine answers the client directly and exits
after ``--idle-exit`` seconds without sessions, and the next connection
starts it again.
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import socket
import subprocess
import sys

POLL_S = 0.5


class Engine:
    """The engine child process and our end of its hand-over socket."""

    def __init__(self, command: list[str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.channel = ours
        self.process = subprocess.Popen(command + ["--handover-fd", str(theirs.fileno())], pass_fds=(theirs.fileno(),))
        theirs.close()

    def alive(self) -> bool:
        return self.process.poll() is None

    def hand_over(self, client: socket.socket) -> bool:
        try:
            socket.send_fds(self.channel, [b"c"], [client.fileno()])
            return True
        except OSError:
            return False

    def stop(self) -> None:
        self.channel.close()
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def serve(host: str, port: int, command: list[str]) -> None:
    listener = socket.create_server((host, port), reuse_port=False, backlog=512)
    print(f"agentlake on-demand listener on {host}:{listener.getsockname()[1]}", flush=True)
    engine: Engine | None = None
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        while not stopping:
            readable, _, _ = select.select([listener], [], [], POLL_S)
            if engine is not None and not engine.alive():
                engine.channel.close()
                engine = None
            if not readable:
                continue
            client, _ = listener.accept()
            with client:
                for _ in range(2):  # an engine that just went idle refuses the socket: start a fresh one
                    if engine is None:
                        engine = Engine(command)
                    if engine.hand_over(client):
                        break
                    engine.stop()
                    engine = None
    except KeyboardInterrupt:
        pass
    finally:
        listener.close()
        if engine is not None:
            engine.stop()


async def receive_sockets(channel: socket.socket, server) -> None:
    """Engine side: adopt every client socket the listener passes; stop reading when the server stops."""
    import asyncio

    loop = asyncio.get_running_loop()
    channel.setblocking(False)
    readable = asyncio.Event()
    loop.add_reader(channel.fileno(), readable.set)
    try:
        while True:
            await readable.wait()
            readable.clear()
            try:
                _, fds, _, _ = socket.recv_fds(channel, 16, 64)
            except BlockingIOError:
                continue
            if not fds:
                return
            for fd in fds:
                await server.adopt(socket.socket(fileno=fd))
    finally:
        loop.remove_reader(channel.fileno())
        channel.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("engine", nargs=argparse.REMAINDER, help="engine command after --")
    args = parser.parse_args(argv)
    command = [a for a in args.engine if a != "--"] or [sys.executable, "-m", "agentlake.server.cli", "serve"]
    serve(args.host, args.port, command)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
    sys.exit(0)
