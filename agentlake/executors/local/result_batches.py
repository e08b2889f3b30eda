"""A DataFusion query's rows batch by batch, as its plan produces them, each typed as a whole result
is (``normalize`` then ``restore_types``): what lets a result larger than memory be sent without
ever being held whole."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

import pyarrow as pa

from ...tensors.types import COMPUTE_TYPE
from .result_types import normalize, restore_types

if TYPE_CHECKING:
    from datafusion import DataFrame


def streamable(frame: "DataFrame") -> bool:
    """Whether each batch can be typed alone: a tensor computed in the query takes its dtype from
    all of its values, so such a result is typed whole."""
    return all(f.type != COMPUTE_TYPE for f in frame.schema())


def typed_batches(frame: "DataFrame", snapshot, stmt) -> Iterator[pa.Table]:
    """Runs ``frame`` on DataFusion's streaming executor and yields its typed batches; at least one
    (empty for no rows), so the result's columns are always known. DataFusion's errors (a division
    by zero in a later row) are raised when the batch holding that row is asked for."""
    schema = None
    for batch in frame.execute_stream():
        table = restore_types(normalize(pa.Table.from_batches([batch.to_pyarrow()])), snapshot, stmt, schema)
        schema = table.schema
        yield table
    if schema is None:
        yield restore_types(normalize(frame.schema().empty_table()), snapshot, stmt)
