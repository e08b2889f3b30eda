"""The engine's door to the SQL front end: parsing, binding, dispatch, errors."""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Callable

import sqlglot
from sqlglot import exp

from ..errors import Error
from ..pgcatalog.rewrite import RULES as CATALOG_RULES
from ..results import Result
from ..sql.rewrite import RULES as FRONT_END_RULES
from . import handlers

if TYPE_CHECKING:
    from .session import Session


def parse(sql: str, params) -> list[exp.Expression]:
    from ..sql.params import bind

    return bind(sql, params)


def parse_unbound(sql: str) -> list[exp.Expression]:
    """Statements with their placeholders left in place (to describe them before binding)."""
    from ..sql.params import parse_statements
    from ..sql.trees import clone

    return [clone(statement) for statement in parse_statements(sql)]


def parse_expression(sql: str) -> exp.Expression:
    from ..sql.dialect import AgentlakePostgres

    return sqlglot.parse_one(f"SELECT {sql}", read=AgentlakePostgres).expressions[0]


RULES = (*CATALOG_RULES, *FRONT_END_RULES)
"""Every rewrite a statement gets on its way to DataFusion: pg_catalog's idioms first, then the
front end's own; composed once, so no statement's meaning depends on what ran before it."""

_generated: OrderedDict[tuple, str] = OrderedDict()


def to_datafusion_sql(node: exp.Expression, text_key: tuple | None = None) -> str:
    """DataFusion SQL for a tree; ``text_key`` (statement text and position) lets it be generated once."""
    from ..sql.rewrite import to_datafusion_sql as generate

    if text_key is None:
        return generate(node, RULES)
    text = _generated.get(text_key)
    if text is None:
        text = _generated[text_key] = generate(node, RULES)
        if len(_generated) > 2048:
            _generated.popitem(last=False)
    return text


def has_bound_parameters(node: exp.Expression) -> bool:
    from ..sql.params import PARAM_META

    return any(PARAM_META in n.meta for n in node.walk())


def translate_error(err: Exception) -> Error:
    from ..sql.diagnostics import translate

    return translate(err)


def describe(session: "Session", stmt: exp.Expression):
    return handlers.describe(session, stmt)


def takes_snapshot(handler: Callable[["Session", exp.Expression], Result]) -> bool:
    """Whether the statement ``handler`` runs reads the data, fixing its transaction's snapshot."""
    return handlers.takes_snapshot(handler)


def handler_for(stmt: exp.Expression) -> tuple[Callable[["Session", exp.Expression], Result], bool]:
    """The function that runs a statement, and whether it may run in a failed transaction."""
    return handlers.dispatch(stmt)
