"""Agents for the batch tests: each task says how its episode behaves.

Markers on disk make a fault happen once: the first attempt creates the marker
and fails, a retry finds it and succeeds. Every run appends its task id to the
task's log file, so tests can count which episodes really ran.
"""

from __future__ import annotations

import os
import time


def _once(marker: str) -> bool:
    """True the first time it is called for ``marker`` (across processes)."""
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        return True
    except FileExistsError:
        return False


def note_agent(db, task: dict) -> dict:
    """Write this task's note, read the table back, and misbehave as the task asks."""
    if task.get("log"):
        with open(task["log"], "a") as log:
            log.write(f"{task['id']}\n")
    kind = task.get("kind", "ok")
    if kind == "raise":
        raise RuntimeError(f"task {task['id']} always fails")
    if kind == "flaky" and _once(task["marker"]):
        raise ConnectionError("the model's service hiccuped")
    if kind == "hang" and _once(task["marker"]):
        time.sleep(120)
    if kind == "kill" and _once(task["marker"]):
        os.kill(os.getpid(), 9)
    if kind == "until" and not os.path.exists(task["marker"]):
        raise RuntimeError("the fix is not deployed yet")
    db.execute("INSERT INTO notes (key, value) VALUES (%s, %s)", [task.get("key", f"k{task['id']}"), task["value"]])
    seen = db.execute("SELECT count(*) FROM notes").fetchone()[0]
    return {"score": task.get("score", 0.0), "rows_seen": seen}
