"""bytea functions DataFusion lacks: its ``octet_length`` and ``length`` take strings only, and
``length`` of binary reads the bytes as UTF-8 (failing on most binary data)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from datafusion import SessionContext


def _byte_count(values: pa.Array) -> pa.Array:
    return pc.cast(pc.binary_length(values), pa.int32())  # int4, as PostgreSQL's octet_length returns


def register_bytea_functions(ctx: SessionContext) -> None:
    """``bytea_length``: the number of bytes of a bytea value (NULL stays NULL)."""
    from datafusion import udf

    ctx.register_udf(udf(_byte_count, [pa.binary()], pa.int32(), "immutable", name="bytea_length"))
