"""pgvector's functions and aggregates on Dask partitions, by the vector layer's own Arrow functions.

A partition holds a vector column as an Arrow list column (a pandas ``ArrowDtype``
column, or a cuDF list column), so each function reads its arguments as the Arrow
arrays DataFusion would hand the same function as a UDF (``arrow_functions``): one
implementation answers on both executors.

``avg(vector)`` and ``sum(vector)`` become one float64 column per dimension, which
Dask's groupby reduces like any sum (on pandas and cuDF alike), and one vector again
at the end.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from ...vector.arrays import from_matrix, to_matrix
from ...vector.functions import AGGREGATES, SCALAR_FUNCTIONS
from ...vector.metrics import dimension_error
from .arrow_functions import partition_function
from .functions import register_scalar_function
from .partitions import arrow_to_series, frame_module, is_gpu_frame, series_to_arrow
from .registry import Compiler, field_names

_SAME_COLUMNS = {"Filter", "Sort", "Limit", "SubqueryAlias", "Repartition"}
_KEEPS_DIMENSION = {"l2_normalize", "vector_add", "vector_sub", "vector_mul", "vector_with_dimensions"}


def vector_dimension(compiler: Compiler, plan, expr) -> int | None:
    """The dimension of a vector expression over ``plan``'s output where the plan alone tells
    it (a ``vector(n)`` column, a constant, or what keeps its argument's dimension, through the
    projections DataFusion adds); None where only the data would."""
    kind = expr.variant_name()
    if kind in ("Alias", "Cast", "TryCast"):
        return vector_dimension(compiler, plan, expr.rex_call_operands()[0])
    if kind == "Column":
        name = compiler.scope(plan).resolve(expr.to_variant().qualified_name())
        return _column_dimension(compiler, plan, field_names(plan).index(name))
    if kind == "Literal":
        value = expr.python_value().as_py()
        return len(value) if isinstance(value, list) else None
    if kind == "ScalarFunction" and expr.rex_call_operator().lower() in _KEEPS_DIMENSION:
        return next(filter(None, (vector_dimension(compiler, plan, e) for e in expr.rex_call_operands())), None)
    return None


def _column_dimension(compiler: Compiler, plan, index: int) -> int | None:
    found = compiler.arrow_schema(plan).field(index).type
    if pa.types.is_fixed_size_list(found):
        return found.list_size
    variant = plan.to_variant()
    kind = type(variant).__name__
    if kind == "Projection":
        return vector_dimension(compiler, plan.inputs()[0], variant.projections()[index])
    if kind in _SAME_COLUMNS:
        return _column_dimension(compiler, plan.inputs()[0], index)
    return None


def element_columns(name: str, dim: int) -> list[str]:
    return [f"{name}.{i}" for i in range(dim)]


def split_vectors(part: Any, dims: dict[str, int]) -> Any:
    """Each vector column named in ``dims`` as that many float64 columns (NaN on a NULL row)."""
    module = frame_module(part)
    pieces = [part.drop(columns=list(dims))]
    for name, dim in dims.items():
        values, valid, lengths = to_matrix(series_to_arrow(part[name]), np.float64)
        wrong = valid & (lengths != dim)
        if wrong.any():
            raise dimension_error(dim, int(lengths[np.argmax(wrong)]))
        if values.shape[1] != dim:  # no row of this partition holds a vector
            values = np.zeros((len(valid), dim))
        wide = np.where(valid[:, None], values, np.nan)
        pieces.append(module.DataFrame(wide, columns=element_columns(name, dim), index=part.index))
    return module.concat(pieces, axis=1)


def joined_vectors(part: Any, name: str, dim: int, average: bool) -> Any:
    """The vector sums (or averages) of a reduced group, NULL where the group had no vector."""
    sums = part[[f"{c}:sum" for c in element_columns(name, dim)]]
    counts = part[f"{name}.0:count"]
    if is_gpu_frame(part):
        sums, counts = sums.to_pandas(), counts.to_pandas()
    matrix, count = sums.to_numpy(np.float64), counts.to_numpy(np.float64)
    valid = count > 0
    if average:
        matrix = matrix / np.where(valid, count, 1.0)[:, None]
    return arrow_to_series(from_matrix(matrix, valid), part[f"{name}.0:count"])


VECTOR_AGGREGATES = {
    name: accumulator.average for name, (accumulator, _) in AGGREGATES.items() if name.startswith("vector_")
}
"""Aggregate name -> whether it averages."""

for _name, (_fn, _inputs, _output) in SCALAR_FUNCTIONS.items():
    register_scalar_function(_name, partition_function(_fn, _inputs, _output))
