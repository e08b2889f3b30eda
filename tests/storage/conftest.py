"""Backends for the storage conformance suite: local disk, memory:// and S3 on a moto server on loopback."""

from __future__ import annotations

import socket
import uuid

import pytest
from storage_workers import Backend

BACKENDS = ("local", "memory", "s3")


@pytest.fixture(scope="session")
def s3_endpoint():
    pytest.importorskip("s3fs")
    moto_server = pytest.importorskip("moto.server")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _s3_backend(endpoint: str) -> Backend:
    import s3fs

    options = {
        "key": "testing",
        "secret": "testing",
        "client_kwargs": {"endpoint_url": endpoint, "region_name": "us-east-1"},
    }
    bucket = f"b{uuid.uuid4().hex[:12]}"
    s3fs.S3FileSystem(skip_instance_cache=True, **options).call_s3("create_bucket", Bucket=bucket)
    return Backend("s3", f"s3://{bucket}/repo", options)


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path) -> Backend:
    if request.param == "local":
        return Backend("local", str(tmp_path / "repo"))
    if request.param == "memory":
        return Backend("memory", f"memory://{uuid.uuid4().hex}", processes=False)
    return _s3_backend(request.getfixturevalue("s3_endpoint"))
