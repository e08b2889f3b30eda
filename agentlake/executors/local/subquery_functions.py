"""The row-count check of a scalar subquery that the correlated-subquery rewrite made an aggregate.

PostgreSQL fails a subquery used as an expression when it returns more than one row
(21000). Once the rewrite (``sql/rules/correlated_subqueries.py``) has turned such a
subquery into ``first_value``, this check of its row count keeps that error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from ...errors import DataError
from ...sql.rules.correlated_subqueries import ROW_COUNT_CHECK

if TYPE_CHECKING:
    from datafusion import SessionContext


def _at_most_one_row(counts: pa.Array) -> pa.Array:
    largest = pc.max(counts).as_py()
    if largest is not None and largest > 1:
        message = "more than one row returned by a subquery used as an expression"
        raise DataError(f"[SQLSTATE 21000] {message}", sqlstate="21000")
    return counts


def register_subquery_functions(ctx: SessionContext) -> None:
    from datafusion import udf

    ctx.register_udf(udf(_at_most_one_row, [pa.int64()], pa.int64(), "immutable", ROW_COUNT_CHECK))
