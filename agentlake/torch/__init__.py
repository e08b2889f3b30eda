"""A PyTorch loader over one snapshot of a branch: ``agentlake.torch.dataloader(db, sql, ...)``.

The query runs once, at the commit the branch's head names when the loader is made (kept as
``dataset.commit``), so agents writing meanwhile change nothing a training run sees. Its rows stay
in Arrow; media values are decoded in the loader's worker processes (Pillow), never in the
training process. Every epoch is one permutation of all rows, drawn from ``seed`` and the epoch
number, cut into ``world_size`` shards (``torch.distributed``'s rank and world size when it is
initialized) and each shard into the workers' parts: every row is read exactly once per epoch
across workers and ranks, in an order the seed decides. Ranks get equal counts (the permutation
is cut evenly; up to ``world_size - 1`` rows are left out of an epoch, as DistributedSampler
does with ``drop_last``).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pyarrow as pa
import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from .api.connection import Connection, connect
from .media.decode import decode_image


class SnapshotDataset(IterableDataset):
    """The rows of one query at one commit, as an iterable of row dicts (decoded, transformed)."""

    def __init__(
        self,
        rows: pa.Table,
        commit: str,
        *,
        shuffle: bool,
        seed: int,
        rank: int,
        world_size: int,
        transform: Callable[[dict], Any] | None,
        image_size: tuple[int, int] | None,
    ) -> None:
        self.rows = rows
        self.commit = commit
        self.shuffle, self.seed, self.epoch = shuffle, seed, 0
        self.rank, self.world_size = rank, world_size
        self.transform = transform
        self.image_size = image_size
        self._media = [f.name for f in rows.schema if pa.types.is_binary(f.type)]

    def set_epoch(self, epoch: int) -> None:
        """The next epoch's order (call before each epoch, as with DistributedSampler)."""
        self.epoch = epoch

    def indices(self) -> np.ndarray:
        """This rank's and this worker's rows for the current epoch, in order."""
        n = self.rows.num_rows
        order = np.random.default_rng([self.seed, self.epoch]).permutation(n) if self.shuffle else np.arange(n)
        per_rank = n // self.world_size if self.world_size > 1 else n
        mine = order[self.rank * per_rank : (self.rank + 1) * per_rank]
        worker = get_worker_info()
        return mine if worker is None else mine[worker.id :: worker.num_workers]

    def __len__(self) -> int:
        return self.rows.num_rows // self.world_size if self.world_size > 1 else self.rows.num_rows

    def __iter__(self):
        picked = self.indices()
        for start in range(0, len(picked), 256):  # Arrow take in blocks: no Python row objects held
            block = self.rows.take(pa.array(picked[start : start + 256])).to_pylist()
            for row in block:
                yield self._prepared(row)

    def _prepared(self, row: dict) -> Any:
        for name in self._media:
            if row[name] is not None:
                row[name] = torch.from_numpy(decode_image(row[name], self.image_size).copy())
        for name, value in row.items():
            if isinstance(value, np.ndarray):
                row[name] = torch.from_numpy(np.array(value))
        return self.transform(row) if self.transform is not None else row


def _distributed(rank: int | None, world_size: int | None) -> tuple[int, int]:
    if rank is not None and world_size is not None:
        return rank, world_size
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank(), torch.distributed.get_world_size()
    return 0, 1


def dataloader(
    db_or_repo: Connection | str,
    sql: str,
    *,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int = 0,
    num_workers: int = 0,
    transform: Callable[[dict], Any] | None = None,
    image_size: tuple[int, int] | None = None,
    rank: int | None = None,
    world_size: int | None = None,
    pin_memory: bool = False,
    branch: str = "main",
    **loader_options: Any,
) -> DataLoader:
    """A ``torch.utils.data.DataLoader`` over ``sql`` at the branch's current commit.

    Image (and other bytea) columns are decoded to ``(H, W, C)`` uint8 tensors in the workers,
    resized to ``image_size`` = (width, height) when given; ``transform`` then maps each row dict.
    """
    db = db_or_repo if isinstance(db_or_repo, Connection) else connect(db_or_repo, branch, create=False)
    head = db.log(limit=1)
    commit = head.column(0)[0].as_py() if head.num_rows else ""
    rows = db.execute(sql).fetch_arrow()
    rank, world_size = _distributed(rank, world_size)
    dataset = SnapshotDataset(
        rows,
        commit,
        shuffle=shuffle,
        seed=seed,
        rank=rank,
        world_size=world_size,
        transform=transform,
        image_size=image_size,
    )
    return DataLoader(
        dataset,
        batch_size=batch_size,
        num_workers=num_workers,
        pin_memory=pin_memory,
        persistent_workers=False,
        **loader_options,
    )
