"""Batch evaluation: thousands of agent episodes, each on its own branch, on Dask."""

from .batch import new_run_id, run_batch
from .episode import EpisodeResult
from .report import BatchReport

__all__ = ["BatchReport", "EpisodeResult", "new_run_id", "run_batch"]
