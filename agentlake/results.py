"""Statement results and their conversion to Python values."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pyarrow as pa


@dataclass
class Result:
    """What one statement produced: rows (Arrow) or none, a row count and PostgreSQL's command tag."""

    table: pa.Table | None
    rowcount: int
    status: str | None
    plan: str | None = None
    constant: bool = False  # the rows depend only on the statement's text (``SELECT 1``)


def _converter(field: pa.Field):
    kind = (field.metadata or {}).get(b"agentlake.type")
    if kind == b"vector":
        return lambda v: None if v is None else np.asarray(v, dtype=np.float32)
    if kind == b"jsonb":
        return lambda v: None if v is None else json.loads(v)
    return None


def python_rows(table: pa.Table) -> list[tuple]:
    """Rows as tuples; vectors become numpy arrays and JSON becomes Python objects, as psycopg does."""
    columns = []
    for index, field in enumerate(table.schema):
        values = table.column(index).to_pylist()
        convert = _converter(field)
        columns.append([convert(v) for v in values] if convert else values)
    return list(zip(*columns)) if columns else [() for _ in range(table.num_rows)]
