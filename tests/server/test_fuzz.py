"""Random and mutated protocol messages never crash the server, disturb other sessions or change data."""

from __future__ import annotations

import os
import socket
import struct

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

STARTUP = struct.pack("!i", 196608) + b"user\x00fuzz\x00database\x00repo\x00\x00"


def _startup_packet() -> bytes:
    return struct.pack("!i", len(STARTUP) + 4) + STARTUP


def _message(kind: bytes, body: bytes) -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


VALID = [
    _message(b"Q", b"SELECT 1\x00"),
    _message(b"P", b"s1\x00SELECT $1\x00\x00\x01\x00\x00\x00\x17"),
    _message(b"B", b"\x00s1\x00\x00\x01\x00\x01\x00\x01\x00\x00\x00\x04\x00\x00\x00\x05\x00\x01\x00\x01"),
    _message(b"D", b"P\x00"),
    _message(b"E", b"\x00\x00\x00\x00\x00"),
    _message(b"S", b""),
    _message(b"C", b"Ss1\x00"),
]


def _exchange(port: int, payload: bytes, after_startup: bool) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        if after_startup:
            sock.sendall(_startup_packet())
        try:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(65536):
                pass
        except OSError:
            pass


def _mutate(data: bytes, positions: list[int], values: list[int], cut: int) -> bytes:
    out = bytearray(data)
    for pos, value in zip(positions, values):
        if out:
            out[pos % len(out)] = value
    return bytes(out[: max(1, len(out) - cut)])


messages = st.one_of(
    st.binary(max_size=300),
    st.builds(
        lambda kind, body: _message(kind, body),
        st.sampled_from([bytes([c]) for c in b"QPBDESCHXpdcf?"]),
        st.binary(max_size=120),
    ),
    st.builds(
        lambda msg, pos, val, cut: _mutate(msg, pos, val, cut),
        st.sampled_from(VALID),
        st.lists(st.integers(0, 200), max_size=4),
        st.lists(st.integers(0, 255), max_size=4),
        st.integers(0, 6),
    ),
)


def test_fuzzed_messages_leave_server_and_data_intact(server, caplog):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (v BIGINT)")
        conn.execute("INSERT INTO kept VALUES (1), (2), (3)")
    bystander = psycopg.connect(server.dsn(), autocommit=True)

    @settings(
        max_examples=int(os.environ.get("AGENTLAKE_FUZZ_EXAMPLES", "150")),
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(payload=st.lists(messages, min_size=1, max_size=4), after_startup=st.booleans(), oversized=st.booleans())
    def attack(payload, after_startup, oversized):
        data = b"".join(payload)
        if oversized:
            data = b"Q" + struct.pack("!i", 2**30) + data
        _exchange(server.port, data, after_startup)

    with caplog.at_level("ERROR", logger="agentlake.server"):
        attack()
    assert not [r for r in caplog.records if r.name == "agentlake.server"], "a session crashed"
    assert bystander.execute("SELECT 'still served'").fetchone() == ("still served",)
    bystander.close()
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        assert conn.execute("SELECT v FROM kept ORDER BY v").fetchall() == [(1,), (2,), (3,)]
