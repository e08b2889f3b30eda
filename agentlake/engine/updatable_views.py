"""INSERT, UPDATE and DELETE through automatically updatable views, as PostgreSQL runs them
(CREATE VIEW, "Updatable Views").

A statement on a view is rewritten, one view at a time, into the same statement on the view's
base relation: view columns become the expressions they stand for, UPDATE and DELETE also get the
view's WHERE (only rows seen through the view are touched), INSERT names the base columns (the
others get their defaults). The statement on the table then runs as any other, so constraints,
defaults, rights, branches and transactions are the table's. A view's CHECK OPTION (and, under a
CASCADED one, the WHERE of every view below it) is checked on the rows the statement wrote; a row
that fails is 44000 and the statement, like any failed one, leaves nothing behind.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Callable, Iterator

import pyarrow.compute as pc
from sqlglot import exp

from catalog.constraint_checks import failing_row_text

from ..errors import NotSupportedError, ProgrammingError
from ..results import Result
from ..sql.rules.column_names import pg_name
from . import dml
from .ddl import table_name
from .view_updatability import UpdatableView, column_names, refuse_uncheckable, updatable_view

if TYPE_CHECKING:
    from .session import Session

Handler = Callable[["Session", exp.Expression], Result]
_READ_ONLY_DETAIL = "View columns that are not columns of their base relation are not updatable."
_CHECK, _ROW = "__agentlake_check_", "__agentlake_row_"
_EXCLUDED = "excluded"


def insert(session: "Session", stmt: exp.Insert) -> Result:
    return _run(session, stmt, "insert", dml.insert)


def update(session: "Session", stmt: exp.Update) -> Result:
    return _run(session, stmt, "update", dml.update)


def delete(session: "Session", stmt: exp.Delete) -> Result:
    return _run(session, stmt, "delete", dml.delete)


def _target(stmt: exp.Expression) -> exp.Table:
    return stmt.this.this if isinstance(stmt.this, exp.Schema) else stmt.this


def _run(session: "Session", stmt: exp.Expression, command: str, handler: Handler) -> Result:
    """Run ``stmt`` on its table, or, when it names a view, on the table below its views."""
    name = table_name(_target(stmt))
    views = session.write_tx().views
    if name not in views:
        return handler(session, stmt)
    stmt = stmt.copy()
    alias = _target(stmt).alias_or_name
    checks: list[tuple[str, exp.Expression]] = []  # (view, condition on the current target), outermost first
    cascaded = False
    first = True
    while name in views:
        view = updatable_view(session, name, command)
        if first:
            _resolve(session, stmt, view, alias, command)
            first = False
        _rewrite(session, stmt, view, alias, command)
        checks = [(owner, _substitute(condition, view, alias)) for owner, condition in checks]
        if command != "delete" and view.where is not None and (view.check_option or cascaded):
            refuse_uncheckable(view.name, view.where)
            checks.append((view.name, _requalified(view.where, view, alias)))
        cascaded = cascaded or view.check_option == "cascaded"
        name = view.base
    return _run_checked(session, stmt, handler, alias, checks[::-1])


# resolving the statement's names against the view -------------------------------------------------
def _resolve(session: "Session", stmt: exp.Expression, view: UpdatableView, alias: str, command: str) -> None:
    """Qualify every reference to the view's columns with ``alias``, expand ``*`` in RETURNING
    to the view's columns and name RETURNING's items as PostgreSQL names them; 42703 for a name
    the view does not have (its base relation's other columns are not seen through it)."""
    others = _other_columns(session, stmt)
    conflict = stmt.args.get("conflict")
    set_lists = [
        stmt.expressions if command == "update" else [],
        conflict.args.get("expressions") or [] if conflict else [],
    ]
    for assignment in itertools.chain(*set_lists):  # SET c = DEFAULT: a view column's default is NULL
        value = assignment.expression
        for node in value.expressions if isinstance(value, exp.Tuple) else [value]:
            if dml.is_default_keyword(node):
                node.replace(exp.Null())
    for part, excluded in _expression_parts(stmt):
        for column, nested in list(_columns(part)):
            _resolve_column(column, nested, view, alias, others, excluded)
    returning = stmt.args.get("returning")
    if returning is not None:
        items = []
        for item in returning.expressions:
            if _is_star(item, alias):
                items += [exp.alias_(exp.column(c, alias, quoted=True), c, quoted=True) for c in view.columns]
            elif isinstance(item, exp.Alias):
                items.append(item)
            else:  # named now: the expression it becomes over the base relation would name it otherwise
                items.append(exp.alias_(item, pg_name(item), quoted=True))
        returning.set("expressions", _distinct_names(items))


def _distinct_names(items: list[exp.Alias]) -> list[exp.Alias]:
    """RETURNING's items with a repeated name suffixed (``k``, ``k_1``), as agentlake names a
    SELECT's repeated columns: DataFusion returns no two columns of one name."""
    seen: dict[str, int] = {}
    for item in items:
        count = seen.get(item.alias, 0)
        seen[item.alias] = count + 1
        if count:
            item.set("alias", exp.to_identifier(f"{item.alias}_{count}", quoted=True))
    return items


def _resolve_column(
    column: exp.Column, nested: bool, view: UpdatableView, alias: str, others: set[str] | None, excluded: bool
) -> None:
    if isinstance(column.this, exp.Star):
        return
    qualifier, name = column.table, column.name
    if qualifier in ({alias, _EXCLUDED} if excluded else {alias}):
        if name not in view.columns:
            raise ProgrammingError(f"column {qualifier}.{name} does not exist", sqlstate="42703")
    elif not qualifier and not nested:
        if name in view.columns:
            column.set("table", exp.to_identifier(alias, quoted=True))
        elif others is not None and name not in others:
            raise ProgrammingError(f'column "{name}" does not exist', sqlstate="42703")


def _other_columns(session: "Session", stmt: exp.Expression) -> set[str] | None:
    """The columns of the statement's other relations (UPDATE ... FROM, DELETE ... USING): empty
    without any, None where one is not a table or view by name (its columns are not known here)."""
    source = stmt.args.get("from_")
    items = [source.this, *source.expressions, *(j.this for j in source.args.get("joins") or [])] if source else []
    items += list(stmt.args.get("using") or [])
    names: set[str] = set()
    for item in items:
        if not isinstance(item, exp.Table) or not isinstance(item.this, exp.Identifier):
            return None
        names.update(column_names(session, item.name))
    return names


def _is_star(item: exp.Expression, alias: str) -> bool:
    return isinstance(item, exp.Star) or (
        isinstance(item, exp.Column) and isinstance(item.this, exp.Star) and item.table == alias
    )


# rewriting one view into its base relation ----------------------------------------------------------
def _rewrite(session: "Session", stmt: exp.Expression, view: UpdatableView, alias: str, command: str) -> None:
    """``stmt``, whose target is ``view`` (called ``alias``), made a statement on the view's base
    relation, in place."""
    for part, excluded in _expression_parts(stmt):
        part.replace(_substitute(part, view, alias, excluded))
    target = exp.Table(
        this=exp.to_identifier(view.base, quoted=True), alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True))
    )
    if command == "insert":
        _rewrite_insert(session, stmt, view, target)
        return
    stmt.set("this", target)
    if command == "update":
        stmt.set("expressions", _assignments(stmt.expressions, view, "update"))
    if view.where is not None:
        condition = exp.Paren(this=_requalified(view.where, view, alias))
        where = stmt.args.get("where")
        stmt.set("where", exp.Where(this=exp.and_(exp.Paren(this=where.this), condition) if where else condition))


def _rewrite_insert(session: "Session", stmt: exp.Insert, view: UpdatableView, target: exp.Table) -> None:
    if isinstance(stmt.this, exp.Schema):
        names = [c.name for c in stmt.this.expressions]
    elif stmt.args.get("default") and stmt.expression is None:
        stmt.set("this", target)
        return
    else:
        names = list(view.columns)[: _source_width(session, stmt, view)]
    for name in names:
        if name not in view.columns:
            raise ProgrammingError(f'column "{name}" of relation "{view.name}" does not exist', sqlstate="42703")
    repeated = next((name for index, name in enumerate(names) if name in names[:index]), None)
    if repeated is not None:
        raise ProgrammingError(f'column "{repeated}" specified more than once', sqlstate="42701")
    base = _base_columns(names, view, "insert")
    stmt.set("this", exp.Schema(this=target, expressions=[exp.to_identifier(c, quoted=True) for c in base]))
    conflict = stmt.args.get("conflict")
    if conflict is not None:
        keys = []
        for key in conflict.args.get("conflict_keys") or []:
            column = key.this if isinstance(key, exp.Ordered) else key
            base_column = view.base_column(column.name) if column.name in view.columns else None
            if base_column is None:
                raise ProgrammingError(
                    "there is no unique or exclusion constraint matching the ON CONFLICT specification",
                    sqlstate="42P10",
                )
            keys.append(exp.column(base_column, quoted=True))
        conflict.set("conflict_keys", keys or None)
        conflict.set("expressions", _assignments(conflict.args.get("expressions") or [], view, "insert"))


def _source_width(session: "Session", stmt: exp.Insert, view: UpdatableView) -> int:
    """How many view columns an INSERT without a column list fills: as many as its rows have."""
    source = stmt.expression
    if isinstance(source, exp.Values) and source.expressions and isinstance(source.expressions[0], exp.Tuple):
        width = len(source.expressions[0].expressions)
    else:
        width = len(session.runner.describe(source).names)
    if width > len(view.columns):
        raise ProgrammingError("INSERT has more expressions than target columns", sqlstate="42601")
    return width


def _assignments(assignments: list[exp.Expression], view: UpdatableView, command: str) -> list[exp.Expression]:
    """SET's targets (``c = x`` or ``(c, d) = (x, y)``) named as the base relation's columns."""
    targets = [list(a.this.expressions) if isinstance(a.this, exp.Tuple) else [a.this] for a in assignments]
    names = [column.name for columns in targets for column in columns]
    for index, name in enumerate(names):
        if name not in view.columns:
            raise ProgrammingError(f'column "{name}" of relation "{view.name}" does not exist', sqlstate="42703")
        if name in names[:index]:
            raise ProgrammingError(f'multiple assignments to same column "{name}"', sqlstate="42601")
    base = iter(_base_columns(names, view, command))
    mapped = []
    for assignment, columns in zip(assignments, targets):
        renamed = [exp.column(next(base), quoted=True) for _ in columns]
        target = exp.Tuple(expressions=renamed) if isinstance(assignment.this, exp.Tuple) else renamed[0]
        mapped.append(exp.EQ(this=target, expression=assignment.expression))
    return mapped


def _base_columns(names: list[str], view: UpdatableView, command: str) -> list[str]:
    """The base columns that view columns ``names`` are: 0A000 for a computed one, 42601 when
    two of them are the same base column."""
    base = []
    for name in names:
        column = view.base_column(name)
        if column is None:
            verb = "insert into" if command == "insert" else "update"
            raise NotSupportedError(
                f'cannot {verb} column "{name}" of view "{view.name}"', sqlstate="0A000", detail=_READ_ONLY_DETAIL
            )
        if column in base:
            raise ProgrammingError(f'multiple assignments to same column "{column}"', sqlstate="42601")
        base.append(column)
    return base


# expressions ---------------------------------------------------------------------------------------
def _expression_parts(stmt: exp.Expression) -> Iterator[tuple[exp.Expression, bool]]:
    """The expressions of ``stmt`` that may name the target's columns, each with whether it may
    also name EXCLUDED's (ON CONFLICT DO UPDATE)."""
    if isinstance(stmt, exp.Update):
        for assignment in stmt.expressions:
            yield assignment.expression, False
    where = stmt.args.get("where")
    if where is not None:
        yield where.this, False
    conflict = stmt.args.get("conflict")
    if conflict is not None:
        for assignment in conflict.args.get("expressions") or []:
            yield assignment.expression, True
        condition = conflict.args.get("where")
        if condition is not None:
            yield condition.this if isinstance(condition, exp.Where) else condition, True
    returning = stmt.args.get("returning")
    if returning is not None:
        yield from ((item, False) for item in returning.expressions)


def _columns(node: exp.Expression, nested: bool = False) -> Iterator[tuple[exp.Column, bool]]:
    """Every column reference under ``node``, with whether it sits in a query nested in it."""
    if isinstance(node, exp.Column):
        yield node, nested
        return
    inner = nested or isinstance(node, (exp.Query, exp.Subquery))
    for child in node.iter_expressions():
        yield from _columns(child, inner)


def _substitute(node: exp.Expression, view: UpdatableView, alias: str, excluded: bool = False) -> exp.Expression:
    """``node`` with the view's columns (``alias.c``, and ``excluded.c`` where EXCLUDED is in
    scope) replaced by what they stand for over the view's base relation."""
    node = node.copy()
    qualifiers = {alias, _EXCLUDED} if excluded else {alias}
    for column, _ in list(_columns(node)):
        if column.table in qualifiers and column.name in view.columns:
            replacement = _requalified(view.columns[column.name], view, column.table)
            if not isinstance(replacement, (exp.Column, exp.Literal)):
                replacement = exp.Paren(this=replacement)
            if column is node:
                return replacement
            column.replace(replacement)
    return node


def _requalified(node: exp.Expression, view: UpdatableView, qualifier: str) -> exp.Expression:
    """An expression of the view's query with its base relation's columns qualified by
    ``qualifier`` (unqualified ones too, outside nested queries)."""
    node = node.copy()
    for column, nested in list(_columns(node)):
        if column.table in view.qualifiers or (not column.table and not nested):
            column.set("table", exp.to_identifier(qualifier, quoted=True))
    return node


# CHECK OPTION --------------------------------------------------------------------------------------
def _run_checked(
    session: "Session", stmt: exp.Expression, handler: Handler, alias: str, checks: list[tuple[str, exp.Expression]]
) -> Result:
    """Run the rewritten statement; with CHECK OPTIONs, have RETURNING also give each written
    row's verdicts (innermost view first, as PostgreSQL checks them) and the row itself, for the
    message."""
    if not checks:
        return handler(session, stmt)
    returning = stmt.args.get("returning")
    asked = list(returning.expressions) if returning is not None else []
    base = column_names(session, table_name(_target(stmt)))
    verdicts = [
        exp.alias_(exp.Is(this=exp.Paren(this=condition), expression=exp.true()), f"{_CHECK}{i}", quoted=True)
        for i, (_, condition) in enumerate(checks)
    ]
    row = [exp.alias_(exp.column(c, alias, quoted=True), f"{_ROW}{i}", quoted=True) for i, c in enumerate(base)]
    stmt.set("returning", exp.Returning(expressions=[*asked, *verdicts, *row]))
    result = handler(session, stmt)
    table = result.table
    first_failure = None
    for order, (view, _) in enumerate(checks):
        passed = table.column(len(asked) + order)
        failed = pc.indices_nonzero(pc.invert(pc.fill_null(passed, False)))
        if len(failed) and (first_failure is None or failed[0].as_py() < first_failure[0]):
            first_failure = (failed[0].as_py(), view)
    if first_failure is not None:
        index, view = first_failure
        rows = table.select(range(len(asked) + len(checks), table.num_columns))
        raise ProgrammingError(
            f'new row violates check option for view "{view}"',
            sqlstate="44000",
            detail=failing_row_text(rows, index),
        )
    kept = table.select(range(len(asked))) if returning is not None else None
    return Result(kept, result.rowcount, result.status)
