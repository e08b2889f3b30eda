"""``benchmarks/gpu_check.py --cpu-smoke`` runs its TPC-H plumbing on a CPU, both candidate
single-GPU executors included (the Polars compiler on its CPU engine), and leaves its JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_cpu_smoke_writes_both_tpch_steps(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "gpu_check.py"),
            "--cpu-smoke",
            "--skip-tests",
            "--runs",
            "1",
            "--data",
            str(tmp_path / "data"),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((out / "gpu_check.json").read_text())
    assert results["gpu"] is False and "step_errors" not in results, results.get("step_errors")
    assert results["tpch_sf10_dask_cudf_correct"] == 22, results["tpch_sf10_dask_cudf_problems"]
    assert results["tpch_sf10_polars_gpu_correct"] == 22, results["tpch_sf10_polars_gpu_problems"]
    assert results["tpch_sf10_polars_gpu_geomean_vs_duckdb"] is not None
    assert json.loads(proc.stdout.strip().splitlines()[-1])["scale"] == 0.01
