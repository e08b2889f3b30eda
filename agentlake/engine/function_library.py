"""The SQL functions every session's DataFusion context carries, made once per process.

Making agentlake's couple of hundred Python UDFs (vector, JSON, bytea, tensor, full-text,
interval, integer, subquery, formatting and text-cast functions) takes about 4 ms; registering
ones already made on a new context takes a few hundredths of that. A connection per agent is
the fleet's pattern, so the functions that hold no session state are made once and every
context registers the same objects (the functions keep no state between calls).
"""

from __future__ import annotations

from functools import cache
from typing import Any


class FunctionLibrary:
    """Keeps what registration functions register (they take anything with ``register_udf`` and
    ``register_udaf``), to register it again on any number of DataFusion contexts."""

    def __init__(self) -> None:
        self._scalars: list[Any] = []
        self._aggregates: list[Any] = []

    def register_udf(self, function: Any) -> None:
        self._scalars.append(function)

    def register_udaf(self, function: Any) -> None:
        self._aggregates.append(function)

    def install(self, ctx: Any) -> None:
        for function in self._scalars:
            ctx.register_udf(function)
        for function in self._aggregates:
            ctx.register_udaf(function)


@cache
def stateless_functions() -> FunctionLibrary:
    """Every function a session's context carries but those bound to its session or repository."""
    # imported here: DataFusion loads with the first statement that plans
    from ..executors.local.bytea_functions import register_bytea_functions
    from ..executors.local.case_functions import register_case_functions
    from ..executors.local.character_codes import register_character_codes
    from ..executors.local.date_constructors import register_date_constructors
    from ..executors.local.formatting_functions import register_formatting_functions
    from ..executors.local.fulltext import register_fulltext_functions
    from ..executors.local.integer_functions import register_integer_functions
    from ..executors.local.interval_functions import register_interval_functions
    from ..executors.local.json_functions import register_json_functions
    from ..executors.local.math_functions import register_math_functions
    from ..executors.local.numeric_functions import register_numeric_functions
    from ..executors.local.ordered_set_functions import register_ordered_set_functions
    from ..executors.local.pattern_functions import register_pattern_functions
    from ..executors.local.subquery_functions import register_subquery_functions
    from ..executors.local.text_cast_functions import register_text_cast_functions
    from ..executors.local.time_zone_functions import register_time_zone_functions
    from ..tensors.functions import register_tensor_functions
    from ..vector.functions import register_vector_functions

    library = FunctionLibrary()
    for register in (
        register_vector_functions,
        register_json_functions,
        register_bytea_functions,
        register_tensor_functions,
        register_fulltext_functions,
        register_interval_functions,
        register_integer_functions,
        register_math_functions,
        register_numeric_functions,
        register_subquery_functions,
        register_formatting_functions,
        register_text_cast_functions,
        register_pattern_functions,
        register_time_zone_functions,
        register_date_constructors,
        register_character_codes,
        register_ordered_set_functions,
        register_case_functions,
    ):
        register(library)
    return library
