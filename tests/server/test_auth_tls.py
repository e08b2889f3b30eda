"""SCRAM-SHA-256 passwords, TLS (required, refused, channel binding) and per-branch rights."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from psycopg import errors

from agentlake.server.users import UserStore


@pytest.fixture
def users(tmp_path) -> UserStore:
    store = UserStore(str(tmp_path / "repo"))
    store.add("carol", "correct horse", write=["*"])
    store.add("agent", "s3cret", read=["main"], write=["agent-*"])
    return store


@pytest.fixture
def cert(tmp_path) -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "server.crt", tmp_path / "server.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


def test_scram_right_and_wrong_password(make_server, users):
    server = make_server(trust=False, users=users)
    with psycopg.connect(server.dsn("carol", password="correct horse", sslmode="disable")) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("carol",)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(server.dsn("carol", password="wrong", sslmode="disable"))
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(server.dsn("mallory", password="anything", sslmode="disable"))


def test_tls_required_with_channel_binding(make_server, users, cert):
    server = make_server(trust=False, users=users, tls_cert=cert[0], tls_key=cert[1], require_tls=True)
    dsn = server.dsn("carol", password="correct horse", sslmode="require", channel_binding="require")
    with psycopg.connect(dsn) as conn:
        assert conn.pgconn.ssl_in_use
        assert conn.execute("SELECT 1").fetchone() == (1,)
    with pytest.raises(psycopg.OperationalError, match="requires TLS"):
        psycopg.connect(server.dsn("carol", password="correct horse", sslmode="disable"))


def test_tls_refused_when_not_configured(make_server, users):
    server = make_server(trust=False, users=users)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.dsn("carol", password="correct horse", sslmode="require"))
    with psycopg.connect(server.dsn("carol", password="correct horse", sslmode="prefer")) as conn:
        assert not conn.pgconn.ssl_in_use


def test_branch_rights(make_server, users):
    server = make_server(trust=False, users=users)
    agent = dict(password="s3cret", sslmode="disable")
    with psycopg.connect(server.dsn("agent", **agent), autocommit=True) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE forbidden (a BIGINT)")
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("SET agentlake.branch = 'secret'")
        assert conn.execute("SELECT 2").fetchone() == (2,)
    with psycopg.connect(server.dsn("agent", dbname=f"{server.database}@agent-7", **agent), autocommit=True) as conn:
        conn.execute("CREATE TABLE allowed (a BIGINT)")
    with psycopg.connect(server.dsn("agent", options="-c agentlake.branch=agent-8", **agent)) as conn:
        conn.execute("SELECT 1")
    with pytest.raises(psycopg.OperationalError, match="permission denied for branch secret"):
        psycopg.connect(server.dsn("agent", dbname=f"{server.database}@secret", **agent))


def test_trust_mode_only_on_loopback():
    from agentlake.server.app import ServerConfig

    with pytest.raises(ValueError, match="loopback"):
        ServerConfig(repo="r", database="r", trust=True, host="0.0.0.0")
