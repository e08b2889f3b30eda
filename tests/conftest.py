"""Shared fixtures: every test gets its own repository under a temporary AGENTLAKE_HOME."""

from __future__ import annotations

import importlib.util
import socket
import uuid

import pytest


def _gpu_available() -> bool:
    if importlib.util.find_spec("cupy") is None:
        return False
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def pytest_collection_modifyitems(config, items):
    if _gpu_available():
        return
    skip = pytest.mark.skip(reason="needs an NVIDIA GPU with cuDF/cuVS")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def single_threaded_faiss():
    """FAISS's OpenMP threads spin against each other on shared cores (an HNSW build ran 4-9x slower on 2)."""
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    yield
    faiss.omp_set_num_threads(before)


@pytest.fixture(autouse=True)
def agentlake_home(tmp_path, monkeypatch):
    home = tmp_path / "agentlake-home"
    monkeypatch.setenv("AGENTLAKE_HOME", str(home))
    return home


@pytest.fixture
def repo_url(tmp_path) -> str:
    return str(tmp_path / "repo")


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """PostgreSQL 16 (pgserver), the reference that tests compare agentlake with; one per session.
    Where it cannot start, the tests that need it are skipped with the reason."""
    pgserver = pytest.importorskip("pgserver")
    try:
        server = pgserver.get_server(tmp_path_factory.mktemp("pg16"), cleanup_mode="stop")
    except Exception as err:  # noqa: BLE001 - no reference server here: nothing to compare with
        pytest.skip(f"pgserver could not start PostgreSQL: {err}")
    yield server
    server.cleanup()


@pytest.fixture
def lake(tmp_path):
    """An embedded connection to a fresh repository (the agentlake side of a comparison)."""
    import agentlake

    conn = agentlake.connect(str(tmp_path / "repo"), create=True)
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server on loopback, one per session: the real S3 protocol, no mocked client."""
    pytest.importorskip("s3fs")
    moto_server = pytest.importorskip("moto.server")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_repo(s3_endpoint) -> tuple[str, dict]:
    """A repository URL in a fresh bucket of the S3 server, and the storage options that reach it."""
    import s3fs

    options = {
        "key": "testing",
        "secret": "testing",
        "client_kwargs": {"endpoint_url": s3_endpoint, "region_name": "us-east-1"},
    }
    bucket = f"b{uuid.uuid4().hex[:12]}"
    s3fs.S3FileSystem(skip_instance_cache=True, **options).call_s3("create_bucket", Bucket=bucket)
    return f"s3://{bucket}/repo", options
