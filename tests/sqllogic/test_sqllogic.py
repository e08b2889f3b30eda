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
