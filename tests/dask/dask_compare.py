"""Row-set equality between a computed frame and DataFusion's Arrow result."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa


def _value(v):
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return None
    if isinstance(v, (Decimal, np.floating)):
        return float(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, pd.Timestamp):
        return v.date() if v == v.normalize() else v.to_pydatetime()
    if isinstance(v, dt.datetime) and v.time() == dt.time():
        return v.date()
    return v


def rows_of(frame, ordered: bool = False) -> list[tuple]:
    if isinstance(frame, pa.Table):
        frame = frame.to_pandas()
    records = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
    rows = [tuple(_value(v) for v in row) for row in records]
    return rows if ordered else sorted(rows, key=lambda r: [(x is None, str(x)) for x in r])


def _close(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def assert_same_rows(actual, expected, ordered: bool = False) -> None:
    """Same multiset of rows (same sequence when ``ordered``), numbers to a relative 1e-9,
    decimals compared as numbers."""
    got, want = rows_of(actual, ordered), rows_of(expected, ordered)
    assert len(got) == len(want), f"{len(got)} rows, expected {len(want)}"
    for g, w in zip(got, want):
        assert len(g) == len(w) and all(_close(a, b) for a, b in zip(g, w)), f"row {g} != {w}"
