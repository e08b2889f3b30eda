"""Which shard of each epoch a loader reads: its rank among ``world_size`` readers.

Given ``rank`` and ``world_size``, those; else torch.distributed's when a process group is
initialized; else, inside a task on a Dask distributed worker, that worker's place among the
scheduler's workers sorted by address, and their count. So one training task per worker (for
instance ``client.submit(train, workers=[address])`` for each address) gives every worker a
disjoint share of the rows, every row once per epoch. The workers counted are those the scheduler
knows when the loader is made. ``client.run`` functions run on the worker's event loop, outside
any task, and are not recognised as being on a worker: they pass ``rank`` and ``world_size``.
"""

from __future__ import annotations

import sys

import torch


def _dask_worker_shard() -> tuple[int, int] | None:
    """(this worker's place, worker count) inside a Dask task; None elsewhere. distributed is
    consulted only when something imported it already (a worker process always has)."""
    if "distributed" not in sys.modules:
        return None
    from distributed import get_worker

    try:
        worker = get_worker()
    except ValueError:  # not inside a task on a worker
        return None
    addresses = sorted(worker.client.scheduler_info(n_workers=-1)["workers"])
    return addresses.index(worker.address), len(addresses)


def shard(rank: int | None, world_size: int | None) -> tuple[int, int]:
    """(rank, world_size) of this loader: as given, else torch.distributed's, else the Dask worker's, else (0, 1)."""
    if rank is not None and world_size is not None:
        return rank, world_size
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank(), torch.distributed.get_world_size()
    return _dask_worker_shard() or (0, 1)
