"""The README's first command: the demo runs, agents stay isolated until merged, and claims collide."""

from __future__ import annotations

import agentlake
from agentlake import demo


def test_demo_runs_end_to_end(tmp_path, capsys):
    repo = str(tmp_path / "demo-repo")
    demo.main(["--agents", "4", "--steps", "3", "--repo", repo])
    out = capsys.readouterr().out

    assert "isolation" in out and "findings on main: 0" in out
    assert out.count("settled with strategy 'ours'") == 2  # agents 1 and 3 claimed topics already taken
    main = agentlake.connect(repo, create=False)
    assert main.execute("SELECT agent, count(*) FROM findings GROUP BY agent ORDER BY agent").fetchall() == [
        (f"agent-{i:02d}", 3) for i in range(4)
    ]
    claims = main.execute("SELECT agent FROM claims").fetchall()
    assert sorted(agent for (agent,) in claims) == ["agent-00", "agent-02"]  # the first claim of each topic stands
