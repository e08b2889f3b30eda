"""The DataFusion functions that hold no per-session state, built once per process.

A session's DataFusion context is made at its first planned statement, and building its ~230
Python UDFs took about 2 ms of CPU: an agent that connects for one task paid it on every
connection (an evaluation episode, a fleet lifecycle). These functions are built once, on a
stand-in for a context that records what is registered on it, and the same UDF objects are then
registered on every new context. Functions bound to a session or a repository (its settings, its
media blobs) are still built per context.
"""

from __future__ import annotations

import functools
from typing import Any

from datafusion import SessionContext


class _Recording:
    """Takes the registrations a ``register_*_functions`` makes, for replaying on real contexts."""

    def __init__(self) -> None:
        self.udfs: list[Any] = []
        self.udafs: list[Any] = []

    def register_udf(self, function: Any) -> None:
        self.udfs.append(function)

    def register_udaf(self, function: Any) -> None:
        self.udafs.append(function)


@functools.cache
def _shared() -> _Recording:
    from ..executors.local.bytea_functions import register_bytea_functions
    from ..executors.local.formatting_functions import register_formatting_functions
    from ..executors.local.fulltext import register_fulltext_functions
    from ..executors.local.integer_functions import register_integer_functions
    from ..executors.local.interval_functions import register_interval_functions
    from ..executors.local.json_functions import register_json_functions
    from ..executors.local.subquery_functions import register_subquery_functions
    from ..executors.local.text_cast_functions import register_text_cast_functions
    from ..tensors.functions import register_tensor_functions
    from ..vector.functions import register_vector_functions

    recording = _Recording()
    for register in (
        register_vector_functions,
        register_json_functions,
        register_bytea_functions,
        register_tensor_functions,
        register_fulltext_functions,
        register_interval_functions,
        register_integer_functions,
        register_subquery_functions,
        register_formatting_functions,
        register_text_cast_functions,
    ):
        register(recording)
    return recording


def register_shared_functions(ctx: SessionContext) -> None:
    """Register every stateless function on ``ctx`` (the same objects on every context)."""
    shared = _shared()
    for function in shared.udfs:
        ctx.register_udf(function)
    for function in shared.udafs:
        ctx.register_udaf(function)
