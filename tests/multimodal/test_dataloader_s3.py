"""agentlake.torch.dataloader over a repository on S3 (moto's server on loopback): workers started
by spawn inherit nothing, so they reach the store only through the storage options (credentials,
endpoint_url) the loader hands them with its dataset."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import agentlake  # noqa: E402
from agentlake.torch import dataloader  # noqa: E402

from .conftest import png_bytes  # noqa: E402

ROWS = 24


@pytest.fixture
def s3_frames(s3_repo):
    url, options = s3_repo
    db = agentlake.connect(url, storage_options=options)
    db.execute("CREATE TABLE frames (id int PRIMARY KEY, img image, label int)")
    for start in (0, ROWS // 2):  # two commits, two data files: row groups for both workers
        ids = range(start, start + ROWS // 2)
        rows = [v for i in ids for v in (i, png_bytes(np.full((4, 4, 3), i, np.uint8)), i % 3)]
        db.execute("INSERT INTO frames VALUES " + ", ".join(["(%s, %s, %s)"] * len(ids)), rows)
    yield db
    db.close()


def _rows(loader) -> list[tuple[int, int]]:
    return [(int(i), int(img[0, 0, 0])) for batch in loader for i, img in zip(batch["id"], batch["img"])]


def test_spawned_workers_read_s3_with_the_connections_options(s3_frames, s3_repo):
    url, options = s3_repo
    sql = "SELECT id, img FROM frames WHERE label >= 0"
    by_connection = dataloader(s3_frames, sql, batch_size=5, num_workers=2, multiprocessing_context="spawn")
    assert by_connection.dataset.streaming
    by_url = dataloader(
        url, sql, batch_size=5, num_workers=2, shuffle=True, storage_options=options, multiprocessing_context="spawn"
    )
    for loader in (by_connection, by_url):
        assert sorted(_rows(loader)) == [(i, i) for i in range(ROWS)]


def test_storage_options_go_with_a_url_not_a_connection(s3_frames, s3_repo):
    with pytest.raises(TypeError):
        dataloader(s3_frames, "SELECT id FROM frames", storage_options=s3_repo[1])
