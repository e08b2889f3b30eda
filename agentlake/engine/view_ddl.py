"""CREATE [OR REPLACE] VIEW: its column names, its options and its CHECK OPTION, as PostgreSQL
takes them.

sqlglot reads ``WITH (check_option = ...)`` but keeps a statement ending in ``WITH [CASCADED |
LOCAL] CHECK OPTION`` as text; :func:`command` takes that clause off and creates the view from the
rest. A CHECK OPTION is accepted only on an automatically updatable view (0A000 otherwise, with
PostgreSQL's reason as the hint), since it is checked when rows are written through the view.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlglot import exp

from ..errors import DataError, NotSupportedError, ProgrammingError
from ..results import Result
from . import frontend
from .ddl import table_name
from .view_definitions import CHECK_OPTIONS, ViewDefinition, stored_text
from .view_updatability import column_names, not_updatable_reason, refuse_uncheckable

if TYPE_CHECKING:
    from .session import Session

_TRAILING_CHECK_OPTION = re.compile(
    r"^(?P<create>\s*CREATE\s+(?:.*?\s)?VIEW\s.*?)\s+WITH\s+(?:(?P<kind>CASCADED|LOCAL)\s+)?CHECK\s+OPTION\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_UNSUPPORTED_OPTIONS = ("security_barrier", "security_invoker")


def command(session: "Session", text: str) -> Result | None:
    """CREATE VIEW ... WITH [CASCADED | LOCAL] CHECK OPTION, which sqlglot keeps as text; None
    for any other statement."""
    match = _TRAILING_CHECK_OPTION.match(text)
    if match is None:
        return None
    statements = frontend.parse(match.group("create"), None)
    if len(statements) != 1 or not isinstance(statements[0], exp.Create):
        return None
    return create_view(session, statements[0], (match.group("kind") or "cascaded").lower())


def create_view(session: "Session", stmt: exp.Create, check_option: str | None = None) -> Result:
    """Store the view's query as DataFusion SQL (planned once here, so a bad query fails now)
    with its column names applied and its CHECK OPTION, if any, after it."""
    name = table_name(stmt.this)
    tx = session.write_tx()
    if name in tx.tables:
        raise ProgrammingError(f'relation "{name}" already exists', sqlstate="42P07")
    if name in tx.views and not stmt.args.get("replace"):
        raise ProgrammingError(f'relation "{name}" already exists', sqlstate="42P07")
    check_option = _check_option(stmt, check_option)
    query = stmt.expression.copy()
    if isinstance(stmt.this, exp.Schema):
        _name_columns(session, query, [c.name for c in stmt.this.expressions])
    sql = session.datafusion_sql(query)
    session.check_plans(sql)
    if check_option is not None:
        definition = ViewDefinition(name, sql, check_option)
        parsed = definition.query()
        reason = not_updatable_reason(session, definition, parsed, check_columns=True)
        if reason is not None:
            raise NotSupportedError(
                "WITH CHECK OPTION is supported only on automatically updatable views", sqlstate="0A000", hint=reason
            )
        where = parsed.args.get("where")
        if where is not None:
            refuse_uncheckable(name, where.this)
    tx.set_views({**tx.views, name: stored_text(sql, check_option)})
    return Result(None, 0, "CREATE VIEW")


def _check_option(stmt: exp.Create, trailing: str | None) -> str | None:
    """The view's CHECK OPTION, from ``WITH (check_option = ...)`` or the trailing clause;
    PostgreSQL's 22023 for a bad value or both, 0A000 for the options agentlake does not keep."""
    option = trailing
    properties = stmt.args.get("properties")
    for prop in properties.expressions if properties is not None else []:
        if not isinstance(prop, exp.Property):
            continue
        key = prop.name.lower()
        if key in _UNSUPPORTED_OPTIONS:
            raise NotSupportedError(f'view option "{key}" is not supported', sqlstate="0A000")
        if key != "check_option":
            raise DataError(f'unrecognized parameter "{key}"', sqlstate="22023")
        if option is not None:
            raise DataError('parameter "check_option" specified more than once', sqlstate="22023")
        value = prop.args["value"].name
        if value.lower() not in CHECK_OPTIONS:
            raise DataError(
                f'invalid value for enum option "check_option": {value}',
                sqlstate="22023",
                detail='Valid values are "local" and "cascaded".',
            )
        option = value.lower()
    return option


def _name_columns(session: "Session", query: exp.Expression, names: list[str]) -> None:
    """CREATE VIEW v (a, b): the first columns of the query renamed, in place. A ``*`` is
    expanded first (to know which column is which), as PostgreSQL expands it when it creates the
    view."""
    repeated = next((n for index, n in enumerate(names) if n in names[:index]), None)
    if repeated is not None:
        raise ProgrammingError(f'column "{repeated}" specified more than once', sqlstate="42701")
    select = query
    while isinstance(select, exp.SetOperation):
        select = select.this
    if not isinstance(select, exp.Select):
        raise NotSupportedError("column names are supported for views over a SELECT", sqlstate="0A000")
    items = []
    for item in select.expressions:
        star = item if isinstance(item, exp.Star) else item.this if isinstance(item, exp.Column) else None
        if isinstance(star, exp.Star):
            items += _expanded_star(session, select, item)
        else:
            items.append(item)
    if len(names) > len(items):
        raise ProgrammingError("CREATE VIEW specifies more column names than columns", sqlstate="42601")
    named = [exp.alias_(item.unalias(), n, quoted=True) for item, n in zip(items, names)]
    select.set("expressions", named + items[len(names) :])


def _expanded_star(session: "Session", select: exp.Select, star: exp.Expression) -> list[exp.Expression]:
    """The columns ``*`` (or ``t.*``) stands for, over a relation read by name."""
    source = select.args.get("from_")
    tables = [source.this, *source.expressions, *(j.this for j in select.args.get("joins") or [])] if source else []
    qualifier = star.table if isinstance(star, exp.Column) else None
    chosen = [t for t in tables if qualifier in (None, t.alias_or_name)]
    if not chosen or not all(isinstance(t, exp.Table) and isinstance(t.this, exp.Identifier) for t in chosen):
        raise NotSupportedError("column names for a view are supported where * reads tables or views", sqlstate="0A000")
    return [
        exp.column(column, table.alias_or_name, quoted=True)
        for table in chosen
        for column in column_names(session, table.name)
    ]
