"""``agentlake eval run`` and ``agentlake eval report`` end to end, in a temporary repository."""

from __future__ import annotations

import json
import textwrap

from click.testing import CliRunner

import agentlake
from agentlake.cli import main

AGENT = textwrap.dedent("""
    def solve(db, task):
        db.execute("INSERT INTO answers VALUES (%s, %s)", [task["id"], task["x"] * task["x"]])
        if task["x"] == 3:
            raise ValueError("three is unlucky")
        return {"square": task["x"] * task["x"]}
""")


def test_eval_run_then_report(tmp_path, monkeypatch):
    repo = str(tmp_path / "repo")
    agentlake.connect(repo).execute("CREATE TABLE answers (id int PRIMARY KEY, value int)")
    (tmp_path / "my_agent.py").write_text(AGENT)
    (tmp_path / "tasks.jsonl").write_text("".join(json.dumps({"id": i, "x": i}) + "\n" for i in range(5)))
    monkeypatch.chdir(tmp_path)  # the agent module lives in the user's folder, not on any worker's path
    runner = CliRunner(env={"COLUMNS": "200"})

    run = runner.invoke(
        main,
        [
            "eval",
            "run",
            "my_agent:solve",
            "--tasks",
            "tasks.jsonl",
            "--base",
            "main",
            "--workers",
            "2",
            "--repo",
            repo,
            "--run-id",
            "nightly",
            "--retries",
            "0",
            "--merge",
            "all",
            "--merge-results",
        ],
    )
    assert run.exit_code == 0, run.output
    assert "nightly" in run.output and "completed" in run.output

    report = runner.invoke(main, ["eval", "report", "nightly", "--repo", repo])
    assert report.exit_code == 0, report.output
    assert "three is unlucky" in report.output and '"square": 16' in report.output
    assert agentlake.connect(repo).execute("SELECT id, value FROM answers ORDER BY id").fetchall() == [
        (0, 0),
        (1, 1),
        (2, 4),
        (4, 16),
    ]

    assert (
        agentlake.connect(repo).execute("SELECT count(*) FROM eval_results WHERE run_id = 'nightly'").fetchone()[0] == 5
    )
    missing = runner.invoke(main, ["eval", "report", "no-such-run", "--repo", repo])
    assert missing.exit_code != 0 and "SQLSTATE 3F000" in missing.output


def test_eval_run_rejects_a_bad_agent_spec(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tasks.jsonl").write_text('{"id": 1}\n')
    result = CliRunner().invoke(main, ["eval", "run", "nowhere", "--tasks", "tasks.jsonl", "--repo", "r"])
    assert result.exit_code == 2 and "module:function" in result.output
