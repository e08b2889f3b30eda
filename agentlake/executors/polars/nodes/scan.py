"""TableScan: the projected columns of a table, its pushed filters and fetch.

No statistics work is needed here: Polars pushes the Filter above a scan (where
DataFusion keeps a registered table's predicates) into its Parquet reader itself.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ....errors import ProgrammingError
from ..registry import Compiler, field_names, handles
from ..runtime import declined
from ..source import read_table


@handles("TableScan")
def table_scan(compiler: Compiler, plan, variant: Any) -> pl.LazyFrame:
    name = variant.table_name().removeprefix("public.")  # the default schema, named or not
    if name.endswith(")"):
        raise declined(f"the table function {name}")
    if name not in compiler.tables:
        raise ProgrammingError(f'relation "{name}" is not registered with this Context', sqlstate="42P01")
    columns = [col for _, col in variant.projection()]
    frame = read_table(compiler.tables[name], columns).rename(dict(zip(columns, field_names(plan))))
    filters = list(variant.filters())
    if filters:
        from .projection import filtered

        frame = filtered(compiler, frame, filters, compiler.scope(plan))
    if variant.fetch() is not None:
        frame = frame.head(int(variant.fetch()))
    return frame
