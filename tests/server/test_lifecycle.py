"""Scale to zero and shutdown: idle exit, SIGTERM draining, the on-demand listener."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _connect_retrying(dsn: str, seconds: float = 60) -> psycopg.Connection:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return psycopg.connect(dsn, autocommit=True)
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_idle_exit(make_server):
    server = make_server(idle_exit_s=0.5)
    with psycopg.connect(server.dsn()) as conn:
        conn.execute("SELECT 1")
        time.sleep(1.0)                      # an open session keeps the server up
        assert server.thread.is_alive()
    server.thread.join(20)
    assert not server.thread.is_alive()


def _spawn(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)


def test_sigterm_drains_open_sessions(tmp_path):
    port = _free_port()
    proc = _spawn([sys.executable, "-m", "tests.server.serve_engine", "--repo", str(tmp_path / "repo"),
                   "--port", str(port)])
    try:
        assert proc.stdout.readline().startswith("port")
        conn = _connect_retrying(f"host=127.0.0.1 port={port} dbname=repo user=alice")
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        assert conn.execute("SELECT 7").fetchone() == (7,)   # the open session is served to its end
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(f"host=127.0.0.1 port={port} dbname=repo user=alice connect_timeout=2")
        conn.close()
        assert proc.wait(30) == 0
    finally:
        proc.kill()


def _mapped_libraries(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def test_on_demand_listener_starts_engine_and_restarts_it(tmp_path):
    port = _free_port()
    listener = ROOT / "agentlake" / "server" / "ondemand.py"
    proc = _spawn([sys.executable, str(listener), "--host", "127.0.0.1", "--port", str(port), "--",
                   sys.executable, "-m", "tests.server.serve_engine", "--repo", str(tmp_path / "repo"),
                   "--idle-exit", "0.5"])
    try:
        assert "listener" in proc.stdout.readline()
        maps = _mapped_libraries(proc.pid)
        assert "pyarrow" not in maps and "datafusion" not in maps
        dsn = f"host=127.0.0.1 port={port} dbname=repo user=alice"
        for _ in range(2):                   # the second round starts a fresh engine after the idle exit
            with _connect_retrying(dsn) as conn:
                assert conn.execute("SELECT 40 + 2").fetchone() == (42,)
            time.sleep(2.0)
        assert "pyarrow" not in _mapped_libraries(proc.pid)
    finally:
        proc.terminate()
        proc.wait(20)
