"""How Arrow data becomes a partition, for pandas or cuDF alike.

Every scan funnels through :func:`from_arrow`, so the rest of the compiler sees one
set of dtypes: decimals as float64 (grouped means and Dask tokenization break on
``decimal128[pyarrow]``), dates as ``datetime64[ms]``, strings as plain strings.
Decimal values convert exactly to the nearest double on both sides of every
comparison, so equality tests between decimals keep their meaning.
"""
from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc


def _partition_type(t: pa.DataType) -> pa.DataType:
    if pa.types.is_decimal(t):
        return pa.float64()
    if pa.types.is_string_view(t) or pa.types.is_large_string(t):
        return pa.string()
    if pa.types.is_date(t):
        return pa.timestamp("ms")
    if pa.types.is_binary_view(t) or pa.types.is_large_binary(t):
        return pa.binary()
    return t


def partition_schema(schema: pa.Schema) -> pa.Schema:
    """The Arrow schema a partition is converted from (see the module docstring)."""
    return pa.schema([pa.field(f.name, _partition_type(f.type)) for f in schema])


def normalize_arrow(table: pa.Table) -> pa.Table:
    """Cast an Arrow table to the partition types."""
    target = partition_schema(table.schema)
    if target == table.schema:
        return table
    columns = [pc.cast(col, field.type) for col, field in zip(table.columns, target)]
    return pa.Table.from_arrays(columns, schema=target)


def from_arrow(table: pa.Table, gpu: bool = False) -> Any:
    """An Arrow table as one partition: a pandas DataFrame, or a cuDF one when ``gpu``."""
    table = normalize_arrow(table)
    if gpu:
        import cudf

        return cudf.DataFrame.from_arrow(table)
    return table.to_pandas(date_as_object=False)


def normalize_frame(df: Any) -> Any:
    """Cast a user's pandas/cuDF partition to the partition types (decimals to float64, dates to datetime)."""
    changes = {}
    for name, dtype in df.dtypes.items():
        text = str(dtype)
        if "decimal" in text:
            changes[name] = "float64"
        elif text.startswith("date32") or text.startswith("date64"):
            changes[name] = "datetime64[ms]"
        elif text in ("string", "string[python]", "string[pyarrow]", "large_string[pyarrow]",
                      "string_view[pyarrow]"):
            changes[name] = "str"
    return df.astype(changes) if changes else df


def is_gpu_frame(df: Any) -> bool:
    """Whether a (dask or plain) frame holds cuDF data."""
    meta = getattr(df, "_meta", df)
    return type(meta).__module__.split(".")[0] == "cudf"


def decimal_scales(schema: pa.Schema) -> dict[str, int]:
    """Column name -> scale of each decimal field of a DataFusion output schema."""
    return {f.name: f.type.scale for f in schema if pa.types.is_decimal(f.type)}


def truncate_decimals(part: Any, scales: dict[str, int]) -> Any:
    """Cut float stand-ins for decimals to the scale DataFusion's decimal result has.

    DataFusion truncates (AVG of a decimal keeps 4 more digits, cut, not rounded);
    the tiny nudge away from zero keeps exact values such as 0.07 (0.06999999...) intact.
    """
    import numpy as np

    if not scales:
        return part
    part = part.copy()
    for name, scale in scales.items():
        factor = 10.0 ** scale
        column = part[name] * factor
        nudge = column.abs() * 1e-12 + 1e-9
        part[name] = np.trunc(column + nudge.where(column >= 0, -nudge)) / factor
    return part
