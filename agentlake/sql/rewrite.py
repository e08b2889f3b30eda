"""From agentlake's PostgreSQL AST to SQL text DataFusion plans.

Rules run in order, each a small function in ``rules/`` (sqlglot-optimizer
style); other packages add theirs with :func:`register_rule` — the pg_catalog
emulation does.
"""
from __future__ import annotations

from typing import Callable

from sqlglot import exp

from .dialect import AgentlakePostgres
from .rules.any_array import any_array
from .rules.casts import pg_casts
from .rules.column_names import pg_column_names
from .rules.postgres_functions import postgres_functions
from .rules.postgres_spellings import postgres_spellings
from .rules.vector_operators import vector_operators
from .trees import clone

Rule = Callable[[exp.Expression], exp.Expression]
RULES: list[Rule] = [pg_column_names, vector_operators, postgres_functions, postgres_spellings, pg_casts, any_array]


def register_rule(rule: Rule, *, first: bool = False) -> Rule:
    """Add a rewrite rule (applied to every statement sent to DataFusion)."""
    if rule not in RULES:
        RULES.insert(0 if first else len(RULES), rule)
    return rule


def rewrite(tree: exp.Expression) -> exp.Expression:
    tree = clone(tree)
    for rule in RULES:
        tree = rule(tree)
    return tree


def to_datafusion_sql(tree: exp.Expression) -> str:
    # lower-case function names: DataFusion looks table functions (generate_series) up case-sensitively
    return rewrite(tree).sql(dialect=AgentlakePostgres, identify=True, normalize_functions="lower")
