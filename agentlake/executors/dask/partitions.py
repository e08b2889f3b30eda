"""How Arrow data becomes a partition, for pandas or cuDF alike.

Every scan funnels through :func:`from_arrow`, so the rest of the compiler sees one
set of dtypes: decimals as float64 (grouped means and Dask tokenization break on
``decimal128[pyarrow]``), dates as ``datetime64[ms]``, strings as plain strings, and
nested values (vectors and arrays as lists, tensors as Arrow's tensor extension types or their
structs, media structs) as Arrow-backed columns: as Python objects Dask would turn them into
text, and an extension type must survive to the answer (numpy then reads a fixed-shape tensor
column without a copy).
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
    return table.to_pandas(date_as_object=False, types_mapper=_arrow_backed)


def is_list_type(t: pa.DataType) -> bool:
    """Lists of any kind: how vectors and arrays reach a partition."""
    return pa.types.is_list(t) or pa.types.is_fixed_size_list(t) or pa.types.is_large_list(t)


def is_nested_type(t: pa.DataType) -> bool:
    """Lists, structs and extension types: the values a partition keeps Arrow-backed."""
    return is_list_type(t) or pa.types.is_struct(t) or isinstance(t, pa.BaseExtensionType)


def _arrow_backed(t: pa.DataType) -> Any:
    """Nested values stay Arrow-backed; booleans become pandas' nullable booleans, so a NULL stays
    NULL through NOT and IS [NOT] TRUE (numpy would make the column Python objects)."""
    import pandas as pd

    if pa.types.is_boolean(t):
        return pd.BooleanDtype()
    return pd.ArrowDtype(t) if is_nested_type(t) else None


def frame_module(like: Any):
    """pandas or cudf: whichever holds ``like`` (a frame or Series)."""
    return __import__(type(like).__module__.split(".")[0])


def series_to_arrow(series: Any) -> pa.Array:
    """A partition's column as one Arrow array."""
    if is_gpu_frame(series):
        return series.to_arrow()
    array = pa.array(series.array if hasattr(series.array, "__arrow_array__") else series.to_numpy())
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def arrow_to_series(array: pa.Array | pa.ChunkedArray, like: Any) -> Any:
    """``array`` as a column on ``like``'s index (a Series or frame of the same backend), typed
    as :func:`from_arrow` types columns."""
    if is_gpu_frame(like):
        out = frame_module(like).Series.from_arrow(
            array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
        )
        out.index = like.index
        return out
    import pandas as pd

    if is_nested_type(array.type):
        return pd.Series(pd.arrays.ArrowExtensionArray(array), index=like.index)
    return pd.Series(array.to_numpy(zero_copy_only=False), index=like.index)


def normalize_frame(df: Any) -> Any:
    """Cast a user's pandas/cuDF partition to the partition types (decimals to float64, dates to datetime)."""
    changes = {}
    for name, dtype in df.dtypes.items():
        text = str(dtype)
        if "decimal" in text:
            changes[name] = "float64"
        elif text.startswith("date32") or text.startswith("date64"):
            changes[name] = "datetime64[ms]"
        elif text in ("string", "string[python]", "string[pyarrow]", "large_string[pyarrow]", "string_view[pyarrow]"):
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
        factor = 10.0**scale
        column = part[name] * factor
        nudge = column.abs() * 1e-12 + 1e-9
        part[name] = np.trunc(column + nudge.where(column >= 0, -nudge)) / factor
    return part
