"""Which episodes' changes reach the base branch after a batch."""

from __future__ import annotations

from typing import Callable, Sequence

import pandas as pd

from catalog import MergeConflict

from ..api.connection import open_repository
from ..errors import ProgrammingError
from .results_table import with_metrics


def apply_merge_policy(
    repo: str, merge: str | Callable[[pd.DataFrame], Sequence], frame: pd.DataFrame, into: str, order: Sequence[str]
) -> list[dict]:
    """Merge the chosen successful episodes into ``into`` in task order (``order``).

    ``"all"`` chooses every successful episode; a function gets the successful rows, one
    column per metric, and returns the task ids to merge. A conflicting episode is skipped
    and reported as data (nothing of it is written); the merges after it go on.
    """
    ok = with_metrics(frame[frame["status"] == "ok"].reset_index(drop=True))
    if merge == "all":
        chosen = set(ok["task_id"])
    elif callable(merge):
        chosen = {str(t) for t in merge(ok.copy())}
    else:
        raise ProgrammingError("merge must be None, 'all' or a function choosing task ids", sqlstate="22023")
    branches = dict(zip(ok["task_id"], ok["branch"]))
    return merge_branches(repo, [(t, branches[t]) for t in order if t in chosen and t in branches], into)


def merge_branches(repo: str, branches: Sequence[tuple[str, str]], into: str) -> list[dict]:
    """Merge each (task id, branch) into ``into`` in the order given, collecting conflicts as data."""
    repository = open_repository(repo)
    conflicts = []
    for task_id, branch in branches:
        try:
            repository.merge(branch, into, strategy="fail", author="agentlake eval")
        except MergeConflict as err:
            conflicts.append(
                {
                    "task_id": task_id,
                    "branch": branch,
                    "conflicts": len(err.conflicts),
                    "first": err.conflicts[0] if err.conflicts else None,
                }
            )
    return conflicts
