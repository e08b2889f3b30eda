"""Loopback plumbing the wire benchmarks share: a free port for a server, and a client connection that
waits for the server to come up."""

from __future__ import annotations

import socket
import time

import psycopg


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_connect(dsn: str, timeout: float = 120) -> psycopg.Connection:
    """An autocommit connection, retried until the server accepts it (or ``timeout`` seconds pass)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return psycopg.connect(dsn, autocommit=True)
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
