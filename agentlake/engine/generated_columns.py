"""Evaluating generated columns (``agentlake.embeddings.generated``) for a batch of written rows:
one DataFusion query over all of them, so a model behind ``embed`` sees whole batches."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from ..embeddings.generated import fill

if TYPE_CHECKING:
    from catalog import Manifest

    from .session import Session

_POSITION = "_agentlake_position"


def fill_generated(session: "Session", rows: pa.Table, manifest: "Manifest") -> pa.Table:
    """``rows`` (a table's columns, maybe with _rowid) with its generated columns computed."""
    from .dml import cast_to_field  # dml calls this module: imported when first used
    from .frontend import parse_expression

    def evaluate(inputs: pa.Table, expressions: dict[str, str]) -> pa.Table:
        inputs = inputs.append_column(_POSITION, pa.array(np.arange(inputs.num_rows)))
        with session.temp_table("generated", inputs) as name:
            select = ", ".join(
                f'{session.datafusion_sql(parse_expression(sql))} AS "{column}"' for column, sql in expressions.items()
            )
            out = session.run_datafusion(f'SELECT {select} FROM "{name}" ORDER BY "{_POSITION}"')
        return pa.table({c: cast_to_field(out.column(c), manifest.schema.field(c)) for c in expressions})

    return fill(rows, manifest.constraints, evaluate)
