"""A real server on 127.0.0.1 (a background thread with its own event loop) for real clients,
always on the real engine (``agentlake.connect``): a failure to import it fails the tests."""

from __future__ import annotations

import asyncio
import os
import threading
from dataclasses import dataclass
from typing import Any, Callable

import pytest
from psycopg.conninfo import make_conninfo

from agentlake.server.app import ServerConfig, run_server


def _real_connect(repo: str, branch: str, create: bool, user: str, rights: Any = None) -> Any:
    import agentlake

    return agentlake.connect(repo, branch, create=create, user=user, rights=rights)


@dataclass
class RunningServer:
    port: int
    database: str
    server: Any
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread

    def dsn(self, user: str = "alice", dbname: str | None = None, **extra: str) -> str:
        parts = {
            "host": "127.0.0.1",
            "port": str(self.port),
            "dbname": dbname or self.database,
            "user": user,
            "connect_timeout": "10",
            **extra,
        }
        return make_conninfo("", **parts)

    def url(self, user: str = "alice") -> str:
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{self.database}"

    def stop(self) -> None:
        if not self.thread.is_alive():
            return
        self.loop.call_soon_threadsafe(self.server.stop)
        self.thread.join(30)


def start_server(config: ServerConfig) -> RunningServer:
    ready = threading.Event()
    holder: dict[str, Any] = {}

    def run() -> None:
        loop = asyncio.new_event_loop()
        holder["loop"] = loop

        def on_ready(server) -> None:
            holder["server"] = server
            ready.set()

        try:
            loop.run_until_complete(run_server(config, ready=on_ready))
        except BaseException as err:  # surfaced to the test below
            holder["error"] = err
            ready.set()
        finally:
            loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not ready.wait(30) or "error" in holder:
        raise RuntimeError(f"server did not start: {holder.get('error')}")
    server = holder["server"]
    return RunningServer(server.port, config.database, server, holder["loop"], thread)


@pytest.fixture
def engine_connect() -> Callable[..., Any]:
    return _real_connect


@pytest.fixture
def real_engine() -> None:
    """Kept only while test modules still name it; every server test runs on the real engine."""


@pytest.fixture
def make_server(tmp_path, engine_connect):
    started: list[RunningServer] = []

    def make(**options: Any) -> RunningServer:
        options.setdefault("trust", True)
        options.setdefault("port", 0)
        repo = options.pop("repo", str(tmp_path / "repo"))
        engine_connect(repo, "main", True, "setup").close()  # `agentlake serve` opens an existing repository
        config = ServerConfig(repo=repo, database=os.path.basename(repo), connect=engine_connect, **options)
        running = start_server(config)
        started.append(running)
        return running

    yield make
    for running in started:
        running.stop()


@pytest.fixture
def server(make_server) -> RunningServer:
    return make_server()
