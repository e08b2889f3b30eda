"""Session fixtures for TPC-H data; other test folders load them with
``from tpch.fixtures import tpch_sf001`` in their conftest (tests/ is on sys.path)."""

from __future__ import annotations

from .fixtures import tpch_queries, tpch_sf001  # noqa: F401 - fixtures for this folder
