"""Tensor and media columns of a ``Context.sql`` answer, typed as ``db.execute`` types them.

Stored tensor columns pass through partitions with their Arrow extension types (``partitions``).
A tensor the query computes travels in the query-time form (``COMPUTE_TYPE``) and must become a
tensor extension type again; a lazy frame has to name that type before any partition runs, and
a tensor's dtype and rank follow from its inputs' dtypes and ranks alone, never from their
values. So the tensor expression is run once, by the tensor layer's own functions, on one
made-up row of each stored tensor it reads (ones, of the column's declared shape): the dtype and
rank of that answer are every row's, and each partition's computed tensors become a
variable-shape tensor of them, as ``db.execute`` gives a column whose rows share dtype and rank.
Where no such row can be made (a rank-free column, a decoded image), only the values tell: a
computed answer is typed from all of them as ``db.execute`` does, and a lazy one is refused (0A000).

A media column's value is its bytes, read from the repository's blobs where it is large.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

import dask
import dask.dataframe as dd
import numpy as np
import pyarrow as pa

from ...errors import DataError, NotSupportedError
from ...media import MEDIA_TYPE, media_bytes
from ...tensors.arrays import as_column, from_ndarrays, result_array
from ...tensors.types import COMPUTE_TYPE, FIXED, VARIABLE, TensorSpec, tensor_spec
from .bridge import shuffle_settings
from .expressions import ExprScope, cast_target
from .partitions import arrow_to_series, series_to_arrow
from .registry import field_names
from .tensors import ARROW_FUNCTIONS, blobs_by_url, get_field

_SAME_COLUMNS = {"Filter", "Sort", "Limit", "SubqueryAlias", "Repartition", "Distinct"}
_FREE_SIZES = (1, 8)
"""The sizes a sample row gives a dimension that varies from row to row, tried in turn: 1 broadcasts
against any size, 8 is big enough for subscripts."""

Convert = Callable[[pa.Array], pa.Array]


def _schema(session, plan) -> pa.Schema:
    return session.create_dataframe_from_logical_plan(plan).schema()


def _column_sample(session, plan, name: str, free: int) -> pa.Array | None:
    """One made-up row of ``plan``'s output column ``name``: ones of a stored tensor's shape, what
    the expression that made it gives (a computed tensor, a struct field the planner moved down),
    or a number for a number; None where none can be made."""
    index = field_names(plan).index(ExprScope(columns=field_names(plan)).resolve(name))
    field = _schema(session, plan).field(index)
    if isinstance(field.type, pa.BaseExtensionType) and field.type.extension_name in (FIXED, VARIABLE):
        spec = tensor_spec(field)
        shape = tuple(s or free for s in spec.shape)
        return from_ndarrays([np.ones(shape)], TensorSpec(spec.dtype, spec.shape))
    made = _output_sample(session, plan, index, free)
    if made is None and (pa.types.is_integer(field.type) or pa.types.is_floating(field.type)):
        return pa.array([1], field.type)
    return made


def _sample(session, plan, expr, free: int) -> pa.Array | None:
    """``expr`` (over ``plan``'s output) evaluated on one made-up row, or None."""
    kind = expr.variant_name()
    if kind == "Alias":
        return _sample(session, plan, expr.rex_call_operands()[0], free)
    if kind == "Literal":
        return pa.repeat(expr.python_value(), 1)
    if kind == "Column":
        return _column_sample(session, plan, expr.to_variant().qualified_name(), free)
    if kind in ("Cast", "TryCast"):
        inner = _sample(session, plan, expr.rex_call_operands()[0], free)
        if inner is not None and (pa.types.is_integer(inner.type) or pa.types.is_floating(inner.type)):
            return pa.array([1.0])  # tensor_scalar(CAST(n AS DOUBLE)): any number will do
        # a stored tensor cast to a list is how the planner feeds tensor_in_<dtype>, which reads any layout
        return inner if cast_target(expr).split("(")[0] in ("List", "LargeList", "FixedSizeList") else None
    if kind != "ScalarFunction":
        return None
    name = expr.rex_call_operator().lower()
    fn = get_field if name == "get_field" else ARROW_FUNCTIONS.get(name, (None,))[0]
    args = [_sample(session, plan, e, free) for e in expr.rex_call_operands()]
    if fn is None or any(a is None for a in args):
        return None
    try:
        return fn(*args)
    except DataError:  # sizes the rows may not have (or an error every row gives, met when it runs)
        return None


def _output_sample(session, plan, index: int, free: int) -> pa.Array | None:
    """A made-up row of ``plan``'s output column ``index``, through the nodes that keep columns."""
    variant = plan.to_variant()
    kind = type(variant).__name__
    if kind == "Projection":
        return _sample(session, plan.inputs()[0], variant.projections()[index], free)
    if kind in _SAME_COLUMNS:
        return _output_sample(session, plan.inputs()[0], index, free)
    return None


def computed_spec(session, plan, index: int) -> TensorSpec | None:
    """The type of every row of a computed tensor column (dtype and rank), or None where only
    the values tell."""
    for free in _FREE_SIZES:
        sample = _output_sample(session, plan, index, free)
        if sample is not None and sample.type == COMPUTE_TYPE and not sample.null_count:
            value = sample[0].as_py()
            return TensorSpec(value["dtype"], (None,) * len(value["shape"]))
    return None


def _converted(part: Any, conversions: dict[int, Convert]) -> Any:
    part = part.copy()
    for index, convert in conversions.items():
        part.isetitem(index, arrow_to_series(convert(series_to_arrow(part.iloc[:, index])), part))
    return part


def rich_answer(session, plan, frame: dd.DataFrame, storage: Any = None, compute: bool = False) -> Any:
    """``frame`` (the compiled ``plan``) with computed tensors as tensor extension types and, given
    the repository's ``storage``, media values as bytes; computed when ``compute``."""
    conversions: dict[int, Convert] = {}
    by_values: list[int] = []
    for index, field in enumerate(_schema(session, plan)):
        if field.type == COMPUTE_TYPE:
            spec = computed_spec(session, plan, index)
            if spec is not None:
                conversions[index] = partial(as_column, spec=spec)
            elif compute:
                by_values.append(index)
            else:
                raise NotSupportedError(
                    f'the type of tensor column "{field.name}" is known only once the query runs (it reads a '
                    "rank-free tensor or decoded media, or fails for the shapes it reads): compute it "
                    "with Context.sql(..., return_futures=False)"
                )
        elif field.type == MEDIA_TYPE and storage is not None:
            conversions[index] = partial(media_bytes, blobs=blobs_by_url(storage))
    if conversions:
        frame = frame.map_partitions(_converted, conversions, meta=_converted(frame._meta, conversions))
    if not compute:
        return frame
    with dask.config.set(shuffle_settings()):
        answer = frame.compute()
    return _converted(answer, {i: partial(result_array, spec=None) for i in by_values}) if by_values else answer
