"""A PyTorch loader over one commit of a branch: ``agentlake.torch.dataloader(db, sql, ...)``.

The branch's ref is read once, when the loader is made, and every read after names that commit id
(kept as ``dataset.commit``), so agents committing meanwhile change nothing a training run sees. A
query that reads one table row by row (a select list and WHERE) streams: the workers read the
table's Parquet row groups one at a time and media blobs only for the rows they hand out, so memory
stays bounded however large the table (``dataset.streaming``; see ``sources``). Media values are
decoded in the worker processes (Pillow), never in the training process. Every epoch visits the rows
in an order drawn from ``seed`` and the epoch number, cut into ``world_size`` shards
(``torch.distributed``'s rank and world size when it is initialized; inside a Dask distributed
task, the worker's place among the cluster's workers: ``shards``) and each shard into the
workers' parts: every row is read exactly once per epoch across workers and ranks (``epoch_order``).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pyarrow as pa
import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from ..api.connection import Connection, connect
from ..media.decode import decode_image
from .epoch_order import epoch_pieces, rank_rows
from .shards import shard
from .sources import Answer, RowGroups

BLOCK_ROWS = 256
"""Rows finished (media blobs read) at a time: what a worker holds beyond its current row group."""


class SnapshotDataset(IterableDataset):
    """The rows of one query at one commit, as an iterable of row dicts (decoded, transformed)."""

    def __init__(
        self,
        source: RowGroups | Answer,
        commit: str,
        *,
        shuffle: bool,
        seed: int,
        rank: int,
        world_size: int,
        transform: Callable[[dict], Any] | None,
        image_size: tuple[int, int] | None,
    ) -> None:
        self.source = source
        self.commit = commit
        self.streaming = source.streaming
        self.shuffle, self.seed, self.epoch = shuffle, seed, 0
        self.rank, self.world_size = rank, world_size
        self.transform = transform
        self.image_size = image_size

    def set_epoch(self, epoch: int) -> None:
        """The next epoch's order (call before each epoch, as with DistributedSampler)."""
        self.epoch = epoch

    def __len__(self) -> int:
        return rank_rows(int(self.source.counts.sum()), self.world_size)

    def __iter__(self):
        worker = get_worker_info()
        pieces = epoch_pieces(
            self.source.counts,
            seed=self.seed,
            epoch=self.epoch,
            shuffle=self.shuffle,
            rank=self.rank,
            world_size=self.world_size,
            worker=0 if worker is None else worker.id,
            num_workers=1 if worker is None else worker.num_workers,
        )
        for piece in pieces:
            picked = self.source.rows(piece.unit).take(pa.array(piece.rows))  # the row group is let go here
            for start in range(0, picked.num_rows, BLOCK_ROWS):
                block = self.source.finish(picked.slice(start, BLOCK_ROWS))
                media = [f.name for f in block.schema if pa.types.is_binary(f.type)]
                for row in block.to_pylist():
                    yield self._prepared(row, media)

    def _prepared(self, row: dict, media: list[str]) -> Any:
        for name in media:
            if row[name] is not None:
                row[name] = torch.from_numpy(decode_image(row[name], self.image_size).copy())
        for name, value in row.items():
            if isinstance(value, np.ndarray):
                row[name] = torch.from_numpy(np.array(value))
        return self.transform(row) if self.transform is not None else row


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
    device: str | torch.device | None = None,
    branch: str = "main",
    storage_options: dict | None = None,
    **loader_options: Any,
) -> DataLoader | DeviceLoader:
    """A ``torch.utils.data.DataLoader`` over ``sql`` at the branch's current commit (a Connection's
    own branch when one is given; its uncommitted writes are not seen).

    ``storage_options`` open a repository URL's object store, as ``agentlake.connect``'s do; a
    Connection's repository is open already. Either way the workers reopen the store with them.

    Image (and other bytea) columns are decoded to ``(H, W, C)`` uint8 tensors in the workers,
    resized to ``image_size`` = (width, height) when given; ``transform`` then maps each row dict.

    The loader reads shard ``rank`` of ``world_size`` of each epoch. Without them it takes
    torch.distributed's rank and world size when a process group is initialized, else, made inside
    a task on a Dask distributed worker, that worker's place among the scheduler's workers (sorted
    by address) and their count: one such task per worker reads every row once per epoch between
    them. Otherwise it reads the whole epoch.

    ``device`` (``"cuda"``, ``"cuda:1"``) hands every batch's tensors over on that device, copied
    from pinned memory without blocking when ``pin_memory`` is set; the workers stay on the CPU.
    """
    if isinstance(db_or_repo, Connection):
        if storage_options is not None:
            raise TypeError("storage_options open a repository URL; a Connection's repository is open already")
        db = db_or_repo
    else:
        db = connect(db_or_repo, branch, create=False, storage_options=storage_options)
    repository = db.repository
    commit = repository.resolve(db.current_branch)  # the one read of the ref: all reads below name this commit
    source = RowGroups.open(repository, commit, sql) or Answer.open(repository, commit, sql)
    rank, world_size = shard(rank, world_size)
    dataset = SnapshotDataset(
        source,
        commit,
        shuffle=shuffle,
        seed=seed,
        rank=rank,
        world_size=world_size,
        transform=transform,
        image_size=image_size,
    )
    loader = DataLoader(
        dataset,
        batch_size=batch_size,
        num_workers=num_workers,
        pin_memory=pin_memory,
        persistent_workers=False,
        **loader_options,
    )
    return loader if device is None else DeviceLoader(loader, torch.device(device))


class DeviceLoader:
    """A DataLoader whose batches are moved to ``device`` as they are handed out (the copy from a
    worker's batch to the GPU happens in the training process, which owns the CUDA context)."""

    def __init__(self, loader: DataLoader, device: torch.device) -> None:
        self.loader, self.device = loader, device

    def __iter__(self):
        for batch in self.loader:
            yield _on_device(batch, self.device, self.loader.pin_memory)

    def __len__(self) -> int:
        return len(self.loader)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)  # dataset (set_epoch), batch_size, ...


def _on_device(batch: Any, device: torch.device, non_blocking: bool) -> Any:
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=non_blocking)
    if isinstance(batch, dict):
        return {key: _on_device(value, device, non_blocking) for key, value in batch.items()}
    if isinstance(batch, (list, tuple)):
        moved = [_on_device(value, device, non_blocking) for value in batch]
        return type(batch)(*moved) if hasattr(batch, "_fields") else type(batch)(moved)  # namedtuples too
    return batch
