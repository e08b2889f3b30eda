"""The results table on the run branch: one row per run and task, written exactly once per outcome.

The key includes the run id, so the results of many runs can be merged into one branch.
"""

from __future__ import annotations

import json

import pandas as pd

import agentlake

from .episode import EpisodeResult

RESULT_COLUMNS = (
    "run_id text NOT NULL, task_id text NOT NULL, status text NOT NULL, attempts int NOT NULL, "
    "branch text, head_commit text, seconds double precision, metrics jsonb, error text, "
    "finished_at timestamptz DEFAULT now(), PRIMARY KEY (run_id, task_id)"
)
_ROW = "(" + ", ".join(["%s"] * 9) + ")"


def run_branch(run_id: str) -> str:
    return f"eval/{run_id}"


def open_results(repo: str, run_id: str, base: str, table: str) -> agentlake.Connection:
    db = agentlake.connect(repo, branch=run_branch(run_id), from_=base)
    db.execute(f"CREATE TABLE IF NOT EXISTS {table} ({RESULT_COLUMNS})")
    return db


def recorded_attempts(db: agentlake.Connection, table: str, run_id: str) -> dict[str, tuple[str, int]]:
    """task id -> (status, attempts so far) of every task an earlier run of this run id recorded."""
    rows = db.execute(f"SELECT task_id, status, attempts FROM {table} WHERE run_id = %s", [run_id]).fetchall()
    return {task_id: (status, attempts) for task_id, status, attempts in rows}


def record(db: agentlake.Connection, table: str, run_id: str, results: list[EpisodeResult]) -> None:
    """Upsert a batch of outcomes with one statement and one commit (the key makes a retry overwrite,
    never duplicate; one statement writes one data file however many rows it carries)."""
    if not results:
        return
    rows = [
        (
            run_id,
            r.task_id,
            r.status,
            r.attempt,
            r.branch,
            r.head_commit,
            r.seconds,
            json.dumps(r.metrics, default=str),
            r.error,
        )
        for r in results
    ]
    db.execute(
        f"INSERT INTO {table} (run_id, task_id, status, attempts, branch, head_commit, seconds, metrics, error) "
        f"VALUES {', '.join([_ROW] * len(rows))} ON CONFLICT (run_id, task_id) DO UPDATE SET "
        "status = excluded.status, attempts = excluded.attempts, branch = excluded.branch, "
        "head_commit = excluded.head_commit, seconds = excluded.seconds, metrics = excluded.metrics, "
        "error = excluded.error, finished_at = excluded.finished_at",
        [value for row in rows for value in row],
    )


def results_frame(db: agentlake.Connection, table: str, run_id: str) -> pd.DataFrame:
    frame = db.execute(f"SELECT * FROM {table} WHERE run_id = %s ORDER BY task_id", [run_id]).fetch_df()
    frame["metrics"] = [m if isinstance(m, dict) else json.loads(m or "{}") for m in frame["metrics"]]
    return frame


def with_metrics(frame: pd.DataFrame) -> pd.DataFrame:
    """The results with each metric as a column of its own (for plots and merge policies).

    A metric named like a results column (``error``, ``status``...) becomes ``metrics.<name>``.
    """
    metrics = pd.json_normalize(list(frame["metrics"])).set_index(frame.index)
    return frame.join(metrics.rename(columns={c: f"metrics.{c}" for c in metrics.columns if c in frame.columns}))
