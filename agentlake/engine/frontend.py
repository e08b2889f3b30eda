"""The engine's door to the SQL front end: parsing, binding, dispatch, errors."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import sqlglot
from sqlglot import exp

from ..errors import Error
from ..results import Result
from . import statements

if TYPE_CHECKING:
    from .session import Session


def parse(sql: str, params) -> list[exp.Expression]:
    from ..sql.params import bind

    return bind(sql, params)


def parse_expression(sql: str) -> exp.Expression:
    from ..sql.dialect import AgentlakePostgres

    return sqlglot.parse_one(f"SELECT {sql}", read=AgentlakePostgres).expressions[0]


def to_datafusion_sql(node: exp.Expression) -> str:
    from ..sql.rewrite import to_datafusion_sql as generate

    return generate(node)


def translate_error(err: Exception) -> Error:
    from ..sql.diagnostics import translate

    return translate(err)


def handler_for(stmt: exp.Expression) -> tuple[Callable[["Session", exp.Expression], Result], bool]:
    """The function that runs a statement, and whether it may run in a failed transaction."""
    return statements.dispatch(stmt)
