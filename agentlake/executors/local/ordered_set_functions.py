"""``pg_mode_position``, the part of ``mode() WITHIN GROUP`` DataFusion cannot say
(``sql/rules/ordered_set_aggregates.py`` builds the rest from its array aggregates)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import pyarrow as pa

from ...sql.rules.ordered_set_aggregates import MODE_POSITION

if TYPE_CHECKING:
    from datafusion import SessionContext


def mode_position(values: list[str]) -> int:
    """The 1-based position of the first of the most frequent values, in the order given (the
    group's ORDER BY): PostgreSQL's mode breaks ties by that order."""
    counts = Counter(values)  # counted in first-seen order, which max keeps among equals
    return values.index(max(counts, key=counts.__getitem__)) + 1


def _mode_positions(groups: pa.Array) -> pa.Array:
    return pa.array([mode_position(values) if values else None for values in groups.to_pylist()], pa.int64())


def register_ordered_set_functions(ctx: SessionContext) -> None:
    from datafusion import udf

    ctx.register_udf(udf(_mode_positions, [pa.list_(pa.utf8())], pa.int64(), "immutable", name=MODE_POSITION))
