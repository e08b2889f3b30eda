"""From agentlake's PostgreSQL AST to SQL text DataFusion plans.

Rules run in order, each a small function in ``rules/`` (sqlglot-optimizer
style). ``RULES`` is the front end's own immutable list; the engine composes it once
with the pg_catalog emulation's rules and passes the whole tuple in, so what a
statement means never depends on what ran or was imported before it.
"""

from __future__ import annotations

from typing import Callable

from sqlglot import exp

from .dialect import AgentlakePostgres
from .rules.aggregate_names import aggregate_names
from .rules.any_array import any_array
from .rules.array_fill import array_fill
from .rules.bit_strings import bit_strings
from .rules.bytea import bytea
from .rules.casts import pg_casts
from .rules.column_names import pg_column_names
from .rules.correlated_subqueries import correlated_subqueries
from .rules.fetch_with_ties import fetch_with_ties
from .rules.function_aliases import function_aliases
from .rules.function_synonyms import function_synonyms
from .rules.inequality_correlations import inequality_correlations
from .rules.integer_literals import integer_literals
from .rules.interval_calls import interval_calls
from .rules.interval_literals import interval_literals
from .rules.lateral_subqueries import lateral_subqueries
from .rules.like_escape import like_escape
from .rules.numeric_division import numeric_division
from .rules.order_by_inputs import order_by_inputs
from .rules.ordered_set_aggregates import ordered_set_aggregates
from .rules.postgres_functions import postgres_functions
from .rules.postgres_spellings import postgres_spellings
from .rules.row_in_subqueries import row_in_subqueries
from .rules.set_operation_types import set_operation_types
from .rules.similar_to import similar_to
from .rules.text_formatting import text_formatting
from .rules.vector_operators import vector_operators
from .rules.window_calls import window_calls
from .trees import clone

Rule = Callable[[exp.Expression], exp.Expression]
RULES: tuple[Rule, ...] = (
    window_calls,
    order_by_inputs,
    pg_column_names,
    fetch_with_ties,
    set_operation_types,
    integer_literals,
    row_in_subqueries,
    correlated_subqueries,
    inequality_correlations,
    lateral_subqueries,
    vector_operators,
    bit_strings,
    array_fill,
    ordered_set_aggregates,
    postgres_functions,
    function_synonyms,
    text_formatting,
    interval_calls,
    postgres_spellings,
    bytea,
    interval_literals,
    pg_casts,
    numeric_division,
    any_array,
    like_escape,
    similar_to,
    function_aliases,
    aggregate_names,
)


def rewrite(tree: exp.Expression, rules: tuple[Rule, ...] = RULES) -> exp.Expression:
    """A rewritten copy of ``tree`` (the input is left as it was: cached trees are shared)."""
    tree = clone(tree)
    for rule in rules:
        tree = rule(tree)
    return tree


def to_datafusion_sql(tree: exp.Expression, rules: tuple[Rule, ...] = RULES) -> str:
    # lower-case function names: DataFusion looks table functions (generate_series) up case-sensitively
    return rewrite(tree, rules).sql(dialect=AgentlakePostgres, identify=True, normalize_functions="lower")
