"""Union, Distinct, Values and EmptyRelation."""

from __future__ import annotations

from typing import Any

import dask.dataframe as dd
import pyarrow as pa

from ....errors import NotSupportedError
from ..expressions import compile_expr
from ..registry import Compiler, field_names, handles


def _from_frame(compiler: Compiler, frame) -> dd.DataFrame:
    result = dd.from_pandas(frame, npartitions=1)
    return result.to_backend("cudf") if compiler.gpu else result


@handles("Union")
def union(compiler: Compiler, plan, variant: Any) -> dd.DataFrame:
    names = field_names(plan)
    parts = []
    for child in plan.inputs():
        frame = compiler.compile(child)
        parts.append(frame.rename(columns=dict(zip(frame.columns, names))))
    return dd.concat(parts)


@handles("Distinct")
def distinct(compiler: Compiler, plan, variant: Any) -> dd.DataFrame:
    frame = compiler.compile(plan.inputs()[0])
    return frame.drop_duplicates(split_out=max(1, frame.npartitions // 4))


@handles("Values")
def values(compiler: Compiler, plan, variant: Any) -> dd.DataFrame:
    names = field_names(plan)
    scope = compiler.scope()
    rows = []
    for row in variant.values():
        if any(e.variant_name() not in ("Literal", "Alias", "Cast", "Negative") for e in row):
            raise NotSupportedError("VALUES with non-constant expressions is not supported by the dask executor")
        rows.append([compile_expr(e, scope)(None, ()) for e in row])
    pandas_frame = __import__("pandas").DataFrame(rows, columns=names)
    schema = compiler.arrow_schema(plan)
    for name, field in zip(names, schema):  # the planned types: VALUES (1), (2) is int4, not pandas' int64
        if pa.types.is_integer(field.type) and not pandas_frame[name].isna().any():
            pandas_frame[name] = pandas_frame[name].astype(field.type.to_pandas_dtype())
    return _from_frame(compiler, pandas_frame)


@handles("EmptyRelation")
def empty_relation(compiler: Compiler, plan, variant: Any) -> dd.DataFrame:
    names = field_names(plan)
    import pandas

    if variant.produce_one_row():
        if names:
            raise NotSupportedError("a one-row EmptyRelation with columns is not supported by the dask executor")
        return _from_frame(compiler, pandas.DataFrame({"__one": [0]}))
    return _from_frame(compiler, pandas.DataFrame({name: pandas.Series([], dtype="object") for name in names}))
