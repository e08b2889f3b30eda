"""Media made on the fly (no data set to download) and the real server fixture of tests/server."""

from __future__ import annotations

import io

import numpy as np
import pytest

import agentlake
from tests.server.conftest import engine_connect, make_server  # noqa: F401  (fixtures)


def jpeg_bytes(width: int, height: int, seed: int = 0) -> bytes:
    from PIL import Image

    pixels = np.random.default_rng(seed).integers(0, 255, (height, width, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG")
    return out.getvalue()


def png_bytes(pixels: np.ndarray) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def db(tmp_path):
    conn = agentlake.connect(str(tmp_path / "repo"))
    yield conn
    conn.close()
