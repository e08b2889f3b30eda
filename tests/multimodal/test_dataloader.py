"""agentlake.torch.dataloader: every row exactly once per epoch across workers and ranks, a
seed-determined order, images decoded in the workers, one snapshot while others write."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from agentlake.torch import dataloader  # noqa: E402

from .conftest import png_bytes  # noqa: E402


@pytest.fixture
def frames(db):
    db.execute("CREATE TABLE frames (id int PRIMARY KEY, img image, label int, split text)")
    rows = []
    for i in range(40):
        rows += [i, png_bytes(np.full((6, 8, 3), i, np.uint8)), i % 3, "train" if i < 36 else "test"]
    db.execute("INSERT INTO frames VALUES " + ", ".join(["(%s, %s, %s, %s)"] * 40), rows)
    return db


def _ids(loader) -> list[int]:
    return [int(i) for batch in loader for i in batch["id"]]


def test_every_row_once_across_workers_and_ranks(frames):
    sql = "SELECT id, img, label FROM frames WHERE split = 'train'"
    seen = []
    for rank in range(2):
        loader = dataloader(frames, sql, batch_size=5, shuffle=True, seed=3, num_workers=2, rank=rank, world_size=2)
        seen += _ids(loader)
    assert sorted(seen) == list(range(36))


def test_order_is_decided_by_seed_and_epoch(frames):
    sql = "SELECT id, label FROM frames"
    first = _ids(dataloader(frames, sql, batch_size=8, shuffle=True, seed=1))
    assert first == _ids(dataloader(frames, sql, batch_size=8, shuffle=True, seed=1))
    assert first != _ids(dataloader(frames, sql, batch_size=8, shuffle=True, seed=2))
    loader = dataloader(frames, sql, batch_size=8, shuffle=True, seed=1)
    loader.dataset.set_epoch(1)
    second = _ids(loader)
    assert sorted(second) == sorted(first) and second != first


def test_images_decoded_and_transformed_in_workers(frames):
    loader = dataloader(
        frames,
        "SELECT id, img, label FROM frames ORDER BY id",
        batch_size=4,
        num_workers=2,
        image_size=(4, 3),
        transform=lambda row: (row["img"].permute(2, 0, 1).float(), row["label"]),
    )
    images, labels = next(iter(loader))
    assert tuple(images.shape) == (4, 3, 3, 4)
    assert labels.tolist() == [0, 2, 1, 0]  # the first batch is worker 0's: rows 0, 2, 4, 6


def test_snapshot_unaffected_by_later_writes(frames):
    loader = dataloader(frames, "SELECT id FROM frames", batch_size=100)
    commit = loader.dataset.commit
    frames.execute("DELETE FROM frames WHERE id < 10")
    frames.execute("INSERT INTO frames (id, label, split) VALUES (100, 0, 'train')")
    assert sorted(_ids(loader)) == list(range(40))
    assert commit and commit != frames.log(limit=1).column(0)[0].as_py()


def test_batches_handed_over_on_the_device_asked_for(frames):
    """``device`` moves every tensor of a batch (dicts, tuples, namedtuples) as it is handed out;
    torch's meta device stands in for a GPU here, where the same ``Tensor.to`` runs."""
    from collections import namedtuple

    Pair = namedtuple("Pair", "image label")
    sql = "SELECT id, img, label FROM frames"
    plain = dataloader(frames, sql, batch_size=8, num_workers=2)
    moved = dataloader(frames, sql, batch_size=8, num_workers=2, device="meta")
    assert len(moved) == len(plain) == 5 and moved.batch_size == 8
    for before, after in zip(plain, moved):
        assert set(after) == set(before)
        assert all(after[key].device.type == "meta" for key in after)
        assert all(after[key].shape == before[key].shape for key in after)
    as_pairs = dataloader(
        frames, sql, batch_size=8, device="meta", transform=lambda row: Pair(row["img"], row["label"])
    )
    first = next(iter(as_pairs))
    assert isinstance(first, Pair) and first.image.device.type == "meta" and first.label.device.type == "meta"
