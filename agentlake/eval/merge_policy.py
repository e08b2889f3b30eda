"""Which episodes' changes reach the base branch after a batch."""
from __future__ import annotations

from typing import Callable

import pandas as pd

from catalog import MergeConflict

from ..connection import open_repository


def apply_merge_policy(repo: str, merge: str | Callable[[pd.DataFrame], list], frame: pd.DataFrame,
                       into: str) -> list[dict]:
    """Merge chosen successful episodes into ``into``, in task order; conflicts are collected, not raised."""
    ok = frame[frame["status"] == "ok"]
    if merge == "all":
        chosen = list(ok["task_id"])
    elif callable(merge):
        chosen = [str(t) for t in merge(ok.copy())]
    else:
        raise ValueError("merge must be None, 'all' or a function choosing task ids")
    branches = dict(zip(ok["task_id"], ok["branch"]))
    repository = open_repository(repo)
    conflicts = []
    for task_id in sorted(chosen, key=_task_order):
        if task_id not in branches:
            continue
        try:
            repository.merge(branches[task_id], into, strategy="fail", author="agentlake eval")
        except MergeConflict as err:
            conflicts.append({"task_id": task_id, "branch": branches[task_id], "conflicts": len(err.conflicts),
                              "first": err.conflicts[0] if err.conflicts else None})
    return conflicts


def _task_order(task_id: str):
    return (0, int(task_id), "") if task_id.isdigit() else (1, 0, task_id)
