"""Pytest fixtures that share one generated TPC-H data set per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from .data import generate

QUERY_DIR = Path(__file__).resolve().parent


def query_text(number: int) -> str:
    """The SQL text of TPC-H query ``number`` (1-22), with its validation parameters."""
    return (QUERY_DIR / f"q{number:02d}.sql").read_text()


@pytest.fixture(scope="session")
def tpch_sf001() -> dict[str, list[str]]:
    """Table name -> Parquet files of TPC-H at scale 0.01 (cached across sessions)."""
    return generate(0.01)


@pytest.fixture(scope="session")
def tpch_queries() -> dict[int, str]:
    """Query number -> SQL text of all 22 TPC-H queries."""
    return {n: query_text(n) for n in range(1, 23)}
