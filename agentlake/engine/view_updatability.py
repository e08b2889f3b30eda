"""Whether a view is automatically updatable, decided as PostgreSQL decides it (CREATE VIEW,
"Updatable Views"), and what each of its columns is in terms of its base relation.

A view is updatable when its query reads exactly one table or updatable view and has no WITH,
DISTINCT, GROUP BY, HAVING, LIMIT, OFFSET or set operation at its top, and its select list returns
no aggregate, window function or set-returning function. Syntax decides the first part; the second
is read off DataFusion's plan of the view's query, so that every aggregate counts, agentlake's own
included, whatever its name. The reasons are checked in PostgreSQL's order and worded as its
DETAIL lines, since the first that applies is the one reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from ..errors import NotSupportedError, OperationalError
from .view_definitions import ViewDefinition, read

if TYPE_CHECKING:
    from .session import Session

_VERB = {"insert": "insert into", "update": "update", "delete": "delete from"}
_HINT_VERB = {"insert": "inserting into", "update": "updating", "delete": "deleting from"}

NOT_SINGLE_RELATION = "Views that do not select from a single table or view are not automatically updatable."
NO_UPDATABLE_COLUMNS = "Views that have no updatable columns are not automatically updatable."
_PLAN_REASONS = (  # DataFusion plan nodes under the view's select list, in PostgreSQL's order
    ("Aggregate", "Views that return aggregate functions are not automatically updatable."),
    ("WindowExpr", "Views that return window functions are not automatically updatable."),
    ("Unnest", "Views that return set-returning functions are not automatically updatable."),
)
_SET_OPERATIONS = "Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable."
_CLAUSES = (  # a clause at the top of the view's query, in PostgreSQL's order
    ("distinct", "Views containing DISTINCT are not automatically updatable."),
    ("group", "Views containing GROUP BY are not automatically updatable."),
    ("having", "Views containing HAVING are not automatically updatable."),
    ("with_", "Views containing WITH are not automatically updatable."),
    ("limit", "Views containing LIMIT or OFFSET are not automatically updatable."),
    ("offset", "Views containing LIMIT or OFFSET are not automatically updatable."),
)
_PLAN_STOPS = ("TableScan", "SubqueryAlias")  # below these is another query's plan, not the view's


@dataclass(frozen=True)
class UpdatableView:
    """An automatically updatable view: its base relation, its columns as expressions over that
    relation (qualified, if at all, by one of ``qualifiers``), its WHERE and its CHECK OPTION."""

    name: str
    base: str
    qualifiers: frozenset[str]
    columns: dict[str, exp.Expression]
    where: exp.Expression | None
    check_option: str | None

    def base_column(self, column: str) -> str | None:
        """The base relation's column that view column ``column`` is; None for a computed one."""
        return _base_column_name(self.columns[column], self.qualifiers)


def _base_column_name(expression: exp.Expression, qualifiers: frozenset[str]) -> str | None:
    """The base column a select-list expression is (``*`` for a ``t.*``), or None."""
    if isinstance(expression, exp.Column) and expression.table in ("", *qualifiers):
        return expression.name
    return None


def refuse_uncheckable(view: str, condition: exp.Expression) -> None:
    """0A000 for a CHECK OPTION over a WHERE with a subquery: agentlake checks the rows a statement
    wrote once it has written them, where such a subquery would see them too (PostgreSQL's sees
    the table as the statement found it)."""
    if condition.find(exp.Query) is not None:
        raise NotSupportedError(
            f'CHECK OPTION of view "{view}" is not supported: its WHERE has a subquery', sqlstate="0A000"
        )


def not_updatable(name: str, command: str, detail: str) -> OperationalError:
    """PostgreSQL's 55000 for writing into a view it cannot write through."""
    verb, hint_verb, upper = _VERB[command], _HINT_VERB[command], command.upper()
    return OperationalError(
        f'cannot {verb} view "{name}"',
        sqlstate="55000",
        detail=detail,
        hint=(
            f"To enable {hint_verb} the view, provide an INSTEAD OF {upper} trigger or an unconditional "
            f"ON {upper} DO INSTEAD rule."
        ),
    )


def updatable_view(session: "Session", name: str, command: str) -> UpdatableView:
    """View ``name`` of the session's write transaction, as ``command`` (insert, update, delete)
    writes through it; 55000 when it is not automatically updatable."""
    definition = read(name, session.write_tx().views[name])
    query = definition.query()
    reason = not_updatable_reason(session, definition, query, check_columns=command != "delete")
    if reason is not None:
        raise not_updatable(name, command, reason)
    return _describe(session, definition, query)


def catalog_facts(session: "Session", name: str) -> dict:
    """What information_schema.views says of view ``name``: whether it is automatically updatable
    (UPDATE, DELETE and INSERT go to its table) and its CHECK OPTION."""
    definition = read(name, session.snapshot.views[name])
    reason = not_updatable_reason(session, definition, definition.query(), check_columns=True)
    return {"updatable": reason is None, "check_option": (definition.check_option or "none").upper()}


def not_updatable_reason(
    session: "Session", definition: ViewDefinition, query: exp.Expression, check_columns: bool
) -> str | None:
    """PostgreSQL's DETAIL for why the view is not automatically updatable; None when it is.
    ``check_columns``: it must also have a column that is a base column (INSERT and UPDATE
    need one, DELETE does not)."""
    if isinstance(query, exp.SetOperation):
        return _SET_OPERATIONS
    if not isinstance(query, exp.Select):
        return NOT_SINGLE_RELATION
    for clause, reason in _CLAUSES:
        if query.args.get(clause):
            return reason
    reason = _plan_reason(session, definition.sql)
    if reason is not None:
        return reason
    base = _base_relation(query)
    if base is None or base.name not in _relations(session):
        return NOT_SINGLE_RELATION
    if base.args.get("sample"):
        return "Views containing TABLESAMPLE are not automatically updatable."
    qualifiers = frozenset({base.alias_or_name})
    if check_columns and not any(
        isinstance(item.unalias(), exp.Star) or _base_column_name(item.unalias(), qualifiers)
        for item in query.expressions
    ):
        return NO_UPDATABLE_COLUMNS
    return None


def _plan_reason(session: "Session", sql: str) -> str | None:
    """What the view's own plan computes above its FROM: aggregates, windows, set-returning
    functions (each the nodes DataFusion plans for them)."""
    found = set()
    pending = [session.runner.sync().sql(sql).logical_plan()]
    while pending:
        node = pending.pop()
        kind = type(node.to_variant()).__name__
        found.add(kind)
        if kind not in _PLAN_STOPS:
            pending.extend(node.inputs())
    return next((reason for kind, reason in _PLAN_REASONS if kind in found), None)


def _base_relation(query: exp.Select) -> exp.Table | None:
    """The one relation the query reads by name; None for joins, several FROM entries, subqueries
    and functions."""
    source = query.args.get("from_")
    if source is None or query.args.get("joins") or query.args.get("laterals") or source.expressions:
        return None
    table = source.this
    if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier):
        return None
    schema = table.args.get("db")
    if schema is not None and schema.name.lower() != "public":
        return None
    return table


def _relations(session: "Session") -> set[str]:
    tx = session.write_tx()
    return set(tx.tables) | set(tx.views)


def column_names(session: "Session", relation: str) -> list[str]:
    """The columns a table or view shows, in order, as DataFusion has it registered."""
    return session.runner.sync().table(f'"{relation}"').schema().names


def _describe(session: "Session", definition: ViewDefinition, query: exp.Select) -> UpdatableView:
    base = _base_relation(query)
    qualifiers = frozenset({base.alias_or_name})
    expressions: list[exp.Expression] = []
    for item in query.expressions:
        star = item if isinstance(item, exp.Star) else item.this if isinstance(item, exp.Column) else None
        if isinstance(star, exp.Star):
            expressions += [exp.column(name, quoted=True) for name in column_names(session, base.name)]
        else:
            expressions.append(item.this if isinstance(item, exp.Alias) else item)
    names = column_names(session, definition.name)
    where = query.args.get("where")
    return UpdatableView(
        definition.name,
        base.name,
        qualifiers,
        dict(zip(names, expressions)),
        where.this if where is not None else None,
        definition.check_option,
    )
