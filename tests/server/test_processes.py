"""``agentlake serve --processes N``: several engine processes on one port, one repository.

Each test starts the real command line and talks to it with psycopg: connections spread over the
engines, see each other's commits, are cancelled whichever engine the cancel request reaches, and
survive the death of another engine; SIGTERM drains every engine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _serve(tmp_path, *extra: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "agentlake.server.cli",
            "serve",
            str(tmp_path / "lake"),
            "--trust",
            "--port",
            "0",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    assert line.startswith("agentlake serving lake on 127.0.0.1:"), line + proc.stderr.read()
    port = int(line.split(":")[1].split()[0])
    return proc, f"host=127.0.0.1 port={port} dbname=lake user=agent connect_timeout=20"


@pytest.fixture
def two_engines(tmp_path):
    proc, dsn = _serve(tmp_path, "--processes", "2")
    yield proc, dsn
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            for child in psutil.Process(proc.pid).children(recursive=True):
                child.kill()
            proc.kill()


def _engines(proc: subprocess.Popen) -> list[psutil.Process]:
    return psutil.Process(proc.pid).children()


def _alive(conn: psycopg.Connection) -> bool:
    try:
        conn.execute("SELECT 1")
        return True
    except psycopg.OperationalError:
        return False


def test_engines_share_the_repository_and_one_dying_is_replaced(two_engines):
    proc, dsn = two_engines
    assert len(_engines(proc)) == 2
    conns = [psycopg.connect(dsn, autocommit=True) for _ in range(24)]
    conns[0].execute("CREATE TABLE notes (id int PRIMARY KEY, body text)")
    for i, conn in enumerate(conns):
        conn.execute("INSERT INTO notes VALUES (%s, %s)", [i, f"note {i}"])
    for conn in conns:  # every engine reads what every other committed, at its next statement
        assert conn.execute("SELECT count(*), max(id) FROM notes").fetchone() == (24, 23)
    with pytest.raises(psycopg.errors.UniqueViolation):
        conns[5].execute("INSERT INTO notes VALUES (3, 'again')")

    victim = _engines(proc)[0]
    victim.kill()
    victim.wait(30)
    survivors = [conn for conn in conns if _alive(conn)]
    assert 0 < len(survivors) < len(conns)  # the 24 sessions were spread over both engines
    deadline = time.monotonic() + 60
    while len(_engines(proc)) < 2 or victim.pid in [p.pid for p in _engines(proc)]:
        assert time.monotonic() < deadline, "the supervisor did not start another engine"
        time.sleep(0.2)
    for _ in range(8):  # new sessions reach whichever engine: both serve the same rows
        with psycopg.connect(dsn, autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM notes").fetchone() == (24,)
    survivors[0].execute("INSERT INTO notes VALUES (100, 'after')")
    assert survivors[-1].execute("SELECT body FROM notes WHERE id = 100").fetchone() == ("after",)


def test_a_cancel_request_reaches_the_session_on_any_engine(two_engines):
    _, dsn = two_engines
    conns = [psycopg.connect(dsn, autocommit=True) for _ in range(8)]
    for conn in conns:  # each cancel comes on a new connection, which the kernel gives to either engine
        timer = threading.Timer(0.5, conn.cancel)
        timer.start()
        started = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled):
            conn.execute("SELECT pg_sleep(30)")
        assert time.monotonic() - started < 20
        timer.join()
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_sigterm_drains_every_engine(two_engines):
    proc, dsn = two_engines
    conns = [psycopg.connect(dsn, autocommit=True) for _ in range(6)]
    conns[0].execute("CREATE TABLE t (a int)")
    busy = conns[1]
    busy.execute("BEGIN")
    busy.execute("INSERT INTO t VALUES (1)")
    engines = _engines(proc)
    proc.send_signal(signal.SIGTERM)
    busy.execute("INSERT INTO t VALUES (2)")  # an open transaction goes on ...
    busy.execute("COMMIT")  # ... and commits
    assert proc.wait(60) == 0
    assert not any(engine.is_running() for engine in engines)
    for conn in conns:
        assert not _alive(conn)


@pytest.mark.parametrize("other", [["--on-demand"], ["--idle-exit", "5"]])
def test_processes_refuse_scale_to_zero(tmp_path, other):
    done = subprocess.run(
        [sys.executable, "-m", "agentlake.server.cli", "serve", str(tmp_path / "x"), "--processes", "2", *other],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "--processes serves all the time" in done.stderr
