"""SCRAM-SHA-256 (RFC 5802/7677) as PostgreSQL speaks it, with tls-server-end-point channel binding.

The server keeps only verifiers (salt, iteration count, StoredKey, ServerKey),
never passwords; a stolen users file does not let anyone log in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

ITERATIONS = 4096
MECHANISM = "SCRAM-SHA-256"
MECHANISM_PLUS = "SCRAM-SHA-256-PLUS"


class AuthFailed(Exception):
    """Wrong password or malformed exchange; reported to the client as 28P01."""

    sqlstate = "28P01"


def _hmac(key: bytes, msg: bytes) -> bytes:
    return hmac.new(key, msg, hashlib.sha256).digest()


def make_verifier(password: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """PostgreSQL's verifier text: ``SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>``."""
    salt = salt or os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    stored = hashlib.sha256(_hmac(salted, b"Client Key")).digest()
    server = _hmac(salted, b"Server Key")
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"{MECHANISM}${iterations}:{b64(salt)}${b64(stored)}:{b64(server)}"


@dataclass
class Verifier:
    iterations: int
    salt: bytes
    stored_key: bytes
    server_key: bytes

    @classmethod
    def parse(cls, text: str) -> "Verifier":
        try:
            mech, params, keys = text.split("$")
            iterations, salt = params.split(":")
            stored, server = keys.split(":")
            if mech != MECHANISM:
                raise ValueError(mech)
            return cls(int(iterations), base64.b64decode(salt), base64.b64decode(stored), base64.b64decode(server))
        except ValueError:
            raise AuthFailed("stored password verifier is malformed") from None


def _attributes(message: str) -> dict[str, str]:
    out = {}
    for part in message.split(","):
        if len(part) < 2 or part[1] != "=":
            raise AuthFailed(f"malformed SCRAM message attribute {part[:20]!r}")
        out[part[0]] = part[2:]
    return out


def certificate_hash(cert_der: bytes) -> bytes:
    """tls-server-end-point (RFC 5929): the certificate hashed with its signature hash, MD5/SHA-1 -> SHA-256."""
    name = "sha256"
    try:
        from cryptography import x509

        algorithm = x509.load_der_x509_certificate(cert_der).signature_hash_algorithm
        if algorithm is not None and algorithm.name not in ("md5", "sha1"):
            name = algorithm.name
    except (ImportError, ValueError):
        pass
    return hashlib.new(name, cert_der).digest()


class ScramExchange:
    """Server side of one SCRAM exchange: ``first(...)`` then ``final(...)``.

    ``channel_binding`` is the tls-server-end-point hash when the connection is
    TLS (so SCRAM-SHA-256-PLUS is offered), else None.
    """

    def __init__(self, verifier: Verifier | None, channel_binding: bytes | None = None) -> None:
        self.verifier = verifier
        self.channel_binding = channel_binding
        self._nonce = base64.b64encode(os.urandom(18)).decode()
        self._gs2 = ""
        self._client_first_bare = ""
        self._server_first = ""

    def mechanisms(self) -> list[str]:
        return [MECHANISM_PLUS, MECHANISM] if self.channel_binding else [MECHANISM]

    def first(self, mechanism: str, client_first: bytes) -> bytes:
        if mechanism not in self.mechanisms():
            raise AuthFailed(f"SASL mechanism {mechanism} is not offered")
        text = client_first.decode("utf-8", "replace")
        parts = text.split(",", 2)
        if len(parts) != 3:
            raise AuthFailed("malformed SCRAM client-first-message")
        flag = parts[0]
        if mechanism == MECHANISM_PLUS:
            if flag != "p=tls-server-end-point":
                raise AuthFailed("SCRAM-SHA-256-PLUS needs channel binding type tls-server-end-point")
        elif flag.startswith("p="):
            raise AuthFailed("channel binding requested but SCRAM-SHA-256-PLUS was not chosen")
        elif flag == "y" and self.channel_binding:
            raise AuthFailed("client supports channel binding but did not use it (downgrade attack?)")
        elif flag not in ("n", "y"):
            raise AuthFailed("malformed SCRAM gs2 header")
        self._gs2 = parts[0] + "," + parts[1] + ","
        self._client_first_bare = parts[2]
        client_nonce = _attributes(parts[2]).get("r")
        if not client_nonce:
            raise AuthFailed("SCRAM client nonce is missing")
        self._nonce = client_nonce + self._nonce
        v = self.verifier or Verifier(ITERATIONS, os.urandom(16), b"", b"")  # unknown user: fail at the end
        self._server_first = f"r={self._nonce},s={base64.b64encode(v.salt).decode()},i={v.iterations}"
        return self._server_first.encode()

    def final(self, client_final: bytes) -> bytes:
        text = client_final.decode("utf-8", "replace")
        attrs = _attributes(text)
        without_proof, sep, _ = text.rpartition(",p=")
        if not sep or attrs.get("r") != self._nonce:
            raise AuthFailed("SCRAM nonce mismatch")
        expected_binding = self._gs2.encode()
        if self._gs2.startswith("p="):
            expected_binding += self.channel_binding or b""
        if attrs.get("c") != base64.b64encode(expected_binding).decode():
            raise AuthFailed("SCRAM channel binding check failed")
        if self.verifier is None:
            raise AuthFailed("password authentication failed")
        auth_message = f"{self._client_first_bare},{self._server_first},{without_proof}".encode()
        try:
            proof = base64.b64decode(attrs["p"], validate=True)
        except (ValueError, KeyError):
            raise AuthFailed("malformed SCRAM proof") from None
        signature = _hmac(self.verifier.stored_key, auth_message)
        client_key = bytes(a ^ b for a, b in zip(proof, signature))
        if len(proof) != len(signature) or not hmac.compare_digest(
            hashlib.sha256(client_key).digest(), self.verifier.stored_key
        ):
            raise AuthFailed("password authentication failed")
        server_signature = _hmac(self.verifier.server_key, auth_message)
        return b"v=" + base64.b64encode(server_signature)
