"""Scale to zero and shutdown: idle exit, SIGTERM draining, the on-demand listener."""

from __future__ import annotations

import os
import select
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
        time.sleep(1.0)  # an open session keeps the server up
        assert server.thread.is_alive()
    server.thread.join(20)
    assert not server.thread.is_alive()


def _spawn(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)


def _serve(tmp_path, *extra: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = _spawn(
        [
            sys.executable,
            "-m",
            "tests.server.serve_engine",
            "--repo",
            str(tmp_path / "repo"),
            "--port",
            str(port),
            *extra,
        ]
    )
    assert proc.stdout.readline().startswith("port")
    return proc, f"host=127.0.0.1 port={port} dbname=repo user=alice"


def _assert_terminated(conn: psycopg.Connection) -> None:
    """The session got PostgreSQL's FATAL 57P01 (fast shutdown) and is gone."""
    select.select([conn.pgconn.socket], [], [], 10)
    conn.pgconn.consume_input()  # read the FATAL before the next query meets the closed socket
    with pytest.raises(psycopg.errors.AdminShutdown, match="terminating connection due to administrator command"):
        conn.execute("SELECT 1")
    assert conn.closed or conn.broken


def test_sigterm_closes_idle_sessions_at_once_and_lets_transactions_finish(tmp_path):
    proc, dsn = _serve(tmp_path)
    try:
        idle = _connect_retrying(dsn)
        idle.execute("CREATE TABLE t (a int)")
        busy = _connect_retrying(dsn)
        busy.execute("BEGIN")
        busy.execute("INSERT INTO t VALUES (1)")
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        _assert_terminated(idle)  # idle: closed at once, not after the grace period
        with pytest.raises(psycopg.OperationalError):  # no new sessions
            psycopg.connect(dsn + " connect_timeout=2")
        busy.execute("INSERT INTO t VALUES (2)")  # the open transaction goes on ...
        busy.execute("COMMIT")  # ... and commits
        with pytest.raises(psycopg.OperationalError):  # then its session ends too (the FATAL can come
            select.select([busy.pgconn.socket], [], [], 10)  # in with COMMIT's reply, before the close)
            busy.pgconn.consume_input()
            busy.execute("SELECT 1")
        assert proc.wait(30) == 0
    finally:
        proc.kill()
    proc, dsn = _serve(tmp_path)
    try:
        with _connect_retrying(dsn) as conn:
            assert conn.execute("SELECT a FROM t ORDER BY a").fetchall() == [(1,), (2,)]
    finally:
        proc.kill()


def test_sigterm_grace_period_ends_open_transactions(tmp_path):
    proc, dsn = _serve(tmp_path, "--shutdown-grace", "1")
    try:
        conn = _connect_retrying(dsn)
        conn.execute("CREATE TABLE t (a int)")
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t VALUES (1)")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0  # does not wait on the open transaction
        _assert_terminated(conn)
    finally:
        proc.kill()
    proc, dsn = _serve(tmp_path)
    try:
        with _connect_retrying(dsn) as conn:  # the unfinished transaction was rolled back
            assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
    finally:
        proc.kill()


def _mapped_libraries(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def test_on_demand_listener_starts_engine_and_restarts_it(tmp_path):
    port = _free_port()
    listener = ROOT / "agentlake" / "server" / "ondemand.py"
    proc = _spawn(
        [
            sys.executable,
            str(listener),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--",
            sys.executable,
            "-m",
            "tests.server.serve_engine",
            "--repo",
            str(tmp_path / "repo"),
            "--idle-exit",
            "0.5",
        ]
    )
    try:
        assert "listener" in proc.stdout.readline()
        maps = _mapped_libraries(proc.pid)
        assert "pyarrow" not in maps and "datafusion" not in maps
        dsn = f"host=127.0.0.1 port={port} dbname=repo user=alice"
        for _ in range(2):  # the second round starts a fresh engine after the idle exit
            with _connect_retrying(dsn) as conn:
                assert conn.execute("SELECT 40 + 2").fetchone() == (42,)
            time.sleep(2.0)
        assert "pyarrow" not in _mapped_libraries(proc.pid)
    finally:
        proc.terminate()
        proc.wait(20)
