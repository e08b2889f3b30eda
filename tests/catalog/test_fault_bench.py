"""``benchmarks/fault_bench.py`` in small: one round of each fault (power loss, torn journal tails,
SIGKILLed writers, a SIGKILLed server, writers on S3) loses nothing and breaks nothing."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_few_rounds_of_every_fault_lose_nothing(tmp_path):
    s3 = all(importlib.util.find_spec(m) for m in ("moto", "s3fs"))
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "fault_bench.py"),
            "--iterations",
            "5",
            "--round-seconds",
            "1.5",
            "--writers",
            "2",
            "--cycle",
            "power_loss,torn_tail,kill,server,s3",
            "--seed",
            "3",
            "--keep",
            str(tmp_path / "work"),
            *([] if s3 else ["--no-s3"]),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    for key in (
        "lost_acknowledged",
        "partial_visible",
        "unreadable_states",
        "constraint_violations_found",
        "open_failures",
        "server_start_failures",
        "worker_errors",
    ):
        assert results[key] == 0, (key, proc.stdout[-4000:])
    assert results["power_losses"] == 1 and results["torn_tails"] >= 1
    assert results["sigkills_local"] >= 2 and results["sigkills_server"] == 1
    assert results["sigkills_s3"] >= (2 if s3 else 0)
    assert results["acknowledged"] > 0
