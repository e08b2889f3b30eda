"""Tensor functions and media header facts on Dask partitions, by the tensor and media layers'
own Arrow functions (``agentlake.tensors.functions``, ``agentlake.media.functions``).

The SQL front end rewrites tensor expressions into those functions over the query-time form
(``tensor_in_<dtype>`` of a stored column, ``tensor_add``, ``tensor_sum_all``, ...) whatever the
executor; partitions hold tensor and media columns Arrow-backed (``partitions``), so each call
hands the very arrays DataFusion would hand the UDF. Each function is also registered with the
planner, which must know it to plan a query that calls it. Variable-shape and rank-free tensors
reach ``tensor_in_<dtype>`` through DataFusion's ``get_field`` on their struct storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from datafusion import udf

from ...media import BlobStore
from ...media.functions import FACT_FUNCTIONS, decoding_functions
from ...tensors.functions import SCALAR_FUNCTIONS
from .arrow_functions import partition_function
from .expressions import is_series
from .functions import register_scalar_function
from .partitions import arrow_to_series, series_to_arrow
from .source import resolve


def get_field(values: pa.Array, name: pa.Array) -> pa.Array:
    """DataFusion's struct field access over Arrow arrays; an extension type (a variable-shape
    tensor) is read through its struct storage."""
    storage = values.storage if isinstance(values.type, pa.BaseExtensionType) else values
    return pc.struct_field(storage, name[0].as_py())


def _partition_get_field(values: Any, name: str) -> Any:
    if not is_series(values):
        return None if values is None else values[name]
    return arrow_to_series(get_field(series_to_arrow(values), pa.array([name])), values)


ARROW_FUNCTIONS = {**SCALAR_FUNCTIONS, **FACT_FUNCTIONS}
"""Every function taken over from the layers below: (function over Arrow arrays, argument types, result type)."""

for _name, (_fn, _inputs, _output) in ARROW_FUNCTIONS.items():
    register_scalar_function(
        _name, partition_function(_fn, _inputs, _output), udf(_fn, _inputs, _output, "immutable", name=_name)
    )
register_scalar_function("get_field", _partition_get_field)


@dataclass(frozen=True)
class _ObjectsByUrl:
    """A repository's objects read by URL: what a ``BlobStore`` reads with, and small enough to
    ship to every task (and to hash, as Dask does with a task's arguments), unlike the
    repository's storage with its journal and locks."""

    root: str

    def read(self, path: str) -> bytes:
        filesystem, local = resolve(f"{self.root}/{path}")
        with filesystem.open_input_stream(local) as stream:
            return stream.read()


def blobs_by_url(storage: Any) -> BlobStore:
    """The blobs of a repository's ``storage``, for tasks to read."""
    return BlobStore(_ObjectsByUrl(storage.uri("").rstrip("/")))


def register_decoders(session: Any, overlay: dict[str, Any], storage: Any) -> None:
    """The media decoders (``image_decode``, ...) reading the blobs of a repository's ``storage``,
    on one planning ``session`` and in its compiler's function ``overlay``: unlike the functions
    above they belong to a repository."""
    for name, (fn, inputs, output) in decoding_functions(blobs_by_url(storage)).items():
        session.register_udf(udf(fn, inputs, output, "immutable", name=name))
        overlay[name] = partition_function(fn, inputs, output)
