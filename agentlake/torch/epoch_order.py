"""Which rows each rank and each worker reads in one epoch, when rows come in units read whole.

A unit is a Parquet row group of the table (or a query's whole answer, when it cannot be streamed).
Units are visited in an order drawn from (seed, epoch) and each unit's rows in an order drawn from
(seed, epoch, unit): a two-level shuffle, as streaming loaders do, so a reader takes each row group
once per epoch instead of seeking row by row. The epoch's sequence (the units in order, each one's
rows in order) is cut into ``world_size`` equal contiguous parts (up to ``world_size - 1`` rows left
out, as DistributedSampler does with ``drop_last``); within a rank's part, worker ``w`` of ``W`` takes
the rows at places ``w, w + W, ...``. So every row is read exactly once per epoch across workers and
ranks, and ranks get equal counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np


@dataclass(frozen=True)
class Piece:
    """The rows one worker takes from one unit: places among the unit's rows, in reading order."""

    unit: int
    rows: np.ndarray


def rank_rows(total: int, world_size: int) -> int:
    """How many rows each rank reads per epoch."""
    return total // world_size


def epoch_pieces(
    counts: np.ndarray,
    *,
    seed: int,
    epoch: int,
    shuffle: bool,
    rank: int,
    world_size: int,
    worker: int,
    num_workers: int,
) -> Iterator[Piece]:
    """This rank's and worker's pieces of the epoch, in order; units without its rows are skipped."""
    counts = np.asarray(counts, dtype=np.int64)
    units = np.random.default_rng([seed, epoch]).permutation(len(counts)) if shuffle else np.arange(len(counts))
    ends = np.cumsum(counts[units])
    per_rank = rank_rows(int(ends[-1]) if len(ends) else 0, world_size)
    low, high = rank * per_rank, (rank + 1) * per_rank
    for unit, end in zip(units.tolist(), ends.tolist()):
        count = int(counts[unit])
        start = end - count
        first = max(start, low)
        first += (worker - (first - low)) % num_workers  # the first place of this worker's in the unit
        stop = min(end, high)
        if first >= stop:
            continue
        order = np.random.default_rng([seed, epoch, unit]).permutation(count) if shuffle else np.arange(count)
        yield Piece(unit, order[first - start : stop - start : num_workers])
