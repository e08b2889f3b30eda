"""Runs every .test file under cases/ through the public API."""

from __future__ import annotations

from pathlib import Path

import pytest

from .runner import run_file

CASES = sorted((Path(__file__).parent / "cases").glob("*.test"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_sqllogic_file(path, tmp_path):
    assert run_file(path, str(tmp_path / "repo")) > 0


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_sqllogic_file_with_queries_on_dask(path, tmp_path, monkeypatch):
    """The same answers when the router sends every query it can to Dask (``skipif dask`` marks
    the documented differences)."""
    monkeypatch.setenv("AGENTLAKE_DASK_SCHEDULER", "synchronous")  # the router sees a Dask cluster
    assert run_file(path, str(tmp_path / "repo"), dask=True) > 0


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_sqllogic_file_with_queries_on_polars(path, tmp_path, monkeypatch):
    """The same answers when every query the router sends to Dask runs on the Polars compiler
    instead (CPU engine; falling back where it declines), as the router's GPU route would."""
    from agentlake.engine import router
    from agentlake.executors.polars import run_on_polars

    monkeypatch.setenv("AGENTLAKE_DASK_SCHEDULER", "synchronous")  # the router sees a Dask cluster
    monkeypatch.setattr(
        router, "run_on_dask", lambda session, stmt, gpu, computed: run_on_polars(session, stmt, False, computed)
    )
    assert run_file(path, str(tmp_path / "repo"), dask=True) > 0


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_sqllogic_file_over_parquet_scans(path, tmp_path, monkeypatch):
    """The same answers when small tables are scanned from their Parquet files, as big ones are,
    instead of from their decoded rows in memory (executors/local/snapshot_tables.py)."""
    from agentlake.executors.local import snapshot_tables

    monkeypatch.setattr(snapshot_tables, "SMALL_TABLE_ROWS", -1)
    assert run_file(path, str(tmp_path / "repo")) > 0
