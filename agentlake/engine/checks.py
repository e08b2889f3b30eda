"""CHECK constraints evaluated by the engine for the catalog (its ``CheckEvaluator``): the
expression is stored as PostgreSQL SQL text and runs through the same front end and DataFusion
context as the statement that wrote the rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from catalog import ROWID
from catalog.constraints import CheckEvaluator

from .frontend import parse_expression

if TYPE_CHECKING:
    from .session import Session


def check_evaluator(session: "Session") -> CheckEvaluator:
    """A callback evaluating CHECK expressions over rows in ``session``'s DataFusion context."""

    def evaluate(sql: str, rows: pa.Table) -> pa.Array:
        rows = rows.drop_columns([ROWID]) if ROWID in rows.column_names else rows
        node = parse_expression(sql)
        with session.temp_table("check", rows) as temp:
            result = session.run_datafusion(f'SELECT {session.datafusion_sql(node)} AS ok FROM "{temp}"')
        return result.column(0).combine_chunks().cast(pa.bool_())

    return evaluate
