"""TPC-H Parquet data for tests and benchmarks, generated with ``tpchgen-cli``.

Generation is deterministic for a scale factor, so one copy per scale is kept in a
cache directory and reused by every test session and benchmark on the machine.
Row groups are kept small (a few per file even at tiny scales) so that scans that
split files by row group get real parallelism to work with.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TABLES = ("region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem")


def _cli() -> str:
    beside_python = Path(sys.executable).with_name("tpchgen-cli")
    return str(beside_python) if beside_python.exists() else "tpchgen-cli"


def cache_dir(scale: float) -> Path:
    """Where the files of one scale factor live between sessions."""
    root = Path(os.environ.get("AGENTLAKE_TPCH_CACHE", Path(tempfile.gettempdir()) / "agentlake-tpch"))
    return root / f"sf{scale:g}"


def _row_group_bytes(scale: float) -> str:
    return "1MB" if scale < 0.5 else "64MB"


def tables_in(out_dir: str | os.PathLike) -> dict[str, list[str]]:
    """Each table's Parquet files under ``out_dir`` (``<table>.parquet`` or ``<table>/*.parquet``)."""
    out = Path(out_dir)
    found = {}
    for table in TABLES:
        files = sorted(out.glob(f"{table}.parquet")) or sorted(out.glob(f"{table}/*.parquet"))
        if files:
            found[table] = [str(f) for f in files]
    return found


def generate(scale: float, out_dir: str | os.PathLike | None = None, parts: int = 1) -> dict[str, list[str]]:
    """Write the eight TPC-H tables at ``scale`` as Parquet, once; returns table -> files.

    Files go to ``out_dir`` (default: the per-scale cache directory). A directory that
    already holds all eight tables is reused as is, so repeated calls cost nothing;
    generation writes to a sibling temporary directory and renames it into place, so
    concurrent sessions never see half-written files.
    """
    out = Path(out_dir) if out_dir is not None else cache_dir(scale)
    existing = tables_in(out)
    if len(existing) == len(TABLES):
        return existing
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        cmd = [
            _cli(),
            "parquet",
            "-s",
            f"{scale:g}",
            "-o",
            str(staging),
            "--row-group-bytes",
            _row_group_bytes(scale),
            "--no-progress",
            "-q",
        ]
        if parts > 1:
            cmd += ["--parts", str(parts)]
        subprocess.run(cmd, check=True, capture_output=True)
        out.mkdir(parents=True, exist_ok=True)
        for item in staging.iterdir():
            target = out / item.name
            if not target.exists():
                os.replace(item, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return tables_in(out)
