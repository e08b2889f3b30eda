"""The outcome of a batch, as a pandas frame and as a rich table."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from rich.table import Table


@dataclass
class BatchReport:
    """What a batch did: one results row per task (``results``), retries, merge conflicts, wall time."""

    run_id: str
    run_branch: str
    results: pd.DataFrame
    retried: int = 0
    conflicts: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def metrics(self) -> pd.DataFrame:
        """The results with one column per metric the agents returned."""
        from .results_table import with_metrics

        return with_metrics(self.results)

    @property
    def completed(self) -> int:
        return int((self.results["status"] == "ok").sum())

    @property
    def failed(self) -> int:
        return int((self.results["status"] != "ok").sum())

    def summary(self) -> dict:
        seconds = self.results.loc[self.results["status"] == "ok", "seconds"]
        return {
            "run_id": self.run_id,
            "completed": self.completed,
            "failed": self.failed,
            "retried": self.retried,
            "retried_tasks": int((self.results["attempts"] > 1).sum()) if len(self.results) else 0,
            "conflicts": len(self.conflicts),
            "wall_s": round(self.seconds, 3) if self.seconds else None,
            "episode_p50_s": round(float(seconds.median()), 4) if len(seconds) else None,
            "episode_p95_s": round(float(seconds.quantile(0.95)), 4) if len(seconds) else None,
        }

    def __repr__(self) -> str:
        return "BatchReport(" + ", ".join(f"{key}={value!r}" for key, value in self.summary().items()) + ")"

    def _repr_html_(self) -> str:
        """Notebooks show the summary, not the whole results frame (that is ``.results``)."""
        return pd.Series(self.summary(), name=f"batch on {self.run_branch}").to_frame().to_html()

    def __rich__(self) -> Table:
        table = Table(title=f"batch {self.run_id} (results on branch {self.run_branch})")
        table.add_column("measure")
        table.add_column("value", justify="right")
        for key, value in self.summary().items():
            table.add_row(key, str(value))
        return table


def load_report(repo: str, run_id: str, results_table: str = "eval_results") -> BatchReport:
    """The report of an earlier run, read back from its run branch."""
    import agentlake

    from .results_table import results_frame, run_branch

    db = agentlake.connect(repo, branch=run_branch(run_id), create=False)
    return BatchReport(run_id, run_branch(run_id), results_frame(db, results_table, run_id))
