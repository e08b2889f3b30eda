"""Protocol details clients rely on: notices, ParameterStatus after SET, statement Describe, errors, the CLI."""

from __future__ import annotations

import socket
import struct

import psycopg
from click.testing import CliRunner

from agentlake.server import protocol as pq
from agentlake.server.cli import user
from agentlake.server.users import UserStore


def test_notice_and_parameter_status_after_set(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        notices = []
        conn.add_notice_handler(lambda d: notices.append((d.severity, d.message_primary)))
        conn.execute("COMMIT")
        assert notices == [("WARNING", "there is no transaction in progress")]  # as PostgreSQL sends it
        conn.execute("SET application_name = 'renamed'")
        assert conn.info.parameter_status("application_name") == "renamed"


def _read_messages(sock: socket.socket, until: bytes = b"Z") -> list[tuple[bytes, bytes]]:
    out, buf = [], b""
    while True:
        while len(buf) < 5 or len(buf) < 1 + struct.unpack("!i", buf[1:5])[0]:
            chunk = sock.recv(65536)
            assert chunk, "server closed the connection"
            buf += chunk
        length = struct.unpack("!i", buf[1:5])[0]
        out.append((buf[:1], buf[5 : 1 + length]))
        buf = buf[1 + length :]
        if out[-1][0] == until:
            return out


def test_raw_extended_protocol_statement_describe_and_errors(server):
    startup = struct.pack("!i", pq.PROTOCOL_3) + b"user\x00raw\x00database\x00" + server.database.encode() + b"\x00\x00"
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(struct.pack("!i", len(startup) + 4) + startup)
        kinds = [k for k, _ in _read_messages(sock)]
        assert kinds[0] == b"R" and b"K" in kinds and kinds[-1] == b"Z"
        sock.sendall(
            pq.message(b"P", b"named\x00SELECT $1::bigint AS n\x00\x00\x01\x00\x00\x00\x14")
            + pq.message(b"D", b"Snamed\x00")
            + pq.message(b"S")
        )
        replies = _read_messages(sock)
        assert [k for k, _ in replies][:2] == [b"1", b"t"]
        assert replies[1][1] == struct.pack("!hI", 1, 20)
        sock.sendall(
            pq.message(b"P", b"named\x00SELECT 1\x00\x00\x00")
            + pq.message(b"B", b"\x00nope\x00" + b"\x00" * 6)
            + pq.message(b"S")
        )
        replies = _read_messages(sock)
        fields = dict((f[:1], f[1:]) for f in replies[0][1].split(b"\x00") if f)
        assert replies[0][0] == b"E" and fields[b"C"] == b"42P05" and fields[b"S"] == b"ERROR"
        assert [k for k, _ in replies] == [b"E", b"Z"] and replies[-1][1] == b"I"
        sock.sendall(pq.message(b"Q", b"SELECT 1; SELECT 2\x00"))
        assert [k for k, _ in _read_messages(sock)] == [b"T", b"D", b"C", b"T", b"D", b"C", b"Z"]
        sock.sendall(pq.message(b"Q", b"  \x00"))
        assert [k for k, _ in _read_messages(sock)] == [b"I", b"Z"]
        sock.sendall(b"\x01" + struct.pack("!i", 4))
        replies = _read_messages(sock, until=b"E")
        assert b"08P01" in replies[-1][1]


def test_error_response_carries_position():
    fields = pq.error_response("42601", 'syntax error at or near "x"', position=8)[5:].split(b"\x00")
    assert b"C42601" in fields and b"P8" in fields and b"VERROR" in fields


def test_user_cli(tmp_path):
    repo = str(tmp_path / "repo")
    runner = CliRunner()
    result = runner.invoke(
        user,
        ["add", "agent", "--repo", repo, "--password", "correct-horse-battery", "--read", "main", "--write", "agent-*"],
    )
    assert result.exit_code == 0, result.output
    assert "read:main, write:agent-*" in runner.invoke(user, ["list", "--repo", repo]).output
    stored = UserStore(repo).get("agent")
    rights = stored.engine_rights()
    assert rights.may("agent-3", "write") and rights.may("main", "read") and not rights.may("main", "write")
    assert "correct-horse-battery" not in (tmp_path / "repo" / "users.json").read_text()
    assert runner.invoke(user, ["remove", "agent", "--repo", repo]).exit_code == 0
    assert runner.invoke(user, ["remove", "agent", "--repo", repo]).exit_code != 0


def test_gssenc_and_ssl_requests_declined_then_plain_startup(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(struct.pack("!ii", 8, pq.GSSENC_REQUEST))
        assert sock.recv(1) == b"N"
        sock.sendall(struct.pack("!ii", 8, pq.SSL_REQUEST))
        assert sock.recv(1) == b"N"
        startup = (
            struct.pack("!i", pq.PROTOCOL_3) + b"user\x00raw\x00database\x00" + server.database.encode() + b"\x00\x00"
        )
        sock.sendall(struct.pack("!i", len(startup) + 4) + startup)
        assert _read_messages(sock)[-1] == (b"Z", b"I")
