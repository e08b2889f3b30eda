"""Backends for the storage conformance suite: local disk, memory:// and S3 on a moto server on loopback
(tests/conftest.py)."""

from __future__ import annotations

import uuid

import pytest
from storage_workers import Backend

BACKENDS = ("local", "memory", "s3")


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path) -> Backend:
    if request.param == "local":
        return Backend("local", str(tmp_path / "repo"))
    if request.param == "memory":
        return Backend("memory", f"memory://{uuid.uuid4().hex}", processes=False)
    return Backend("s3", *request.getfixturevalue("s3_repo"))
