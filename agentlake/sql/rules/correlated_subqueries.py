"""Subqueries DataFusion cannot plan, rewritten into aggregate subqueries it decorrelates.

DataFusion 55 turns a correlated subquery into a join when the subquery returns an
aggregate and its correlation is an equality in its WHERE. PostgreSQL runs many
more shapes, and clients send them: asyncpg's type introspection (which every
asyncpg connection runs for pgvector's types) has a correlated ``ORDER BY ... LIMIT 1``
over a recursive CTE whose anchor holds the correlation, and ORMs select
``EXISTS (...)`` and ``x IN (...)`` as values. Each is rewritten into an aggregate
over the same rows that gives PostgreSQL's answer:

- ``(SELECT e ... ORDER BY o LIMIT 1)`` -> ``(SELECT first_value(e ORDER BY o) ...)``;
- ``(SELECT e ...)`` -> ``first_value(e)``, guarded by a count: more than one row is
  PostgreSQL's 21000, raised by ``subquery_row_count_check``;
- ``EXISTS (SELECT ...)`` as a value -> ``(SELECT count(*) ...) > 0``;
- ``x IN (SELECT e ...)`` as a value -> counts of ``e = x`` and of NULLs, giving
  PostgreSQL's three-valued answer (NULL when nothing matches and a NULL took part);
- an equality ``inner = outer`` in a CTE's anchor moves out of the CTE: the CTE carries
  the inner value as an extra column (through the recursive member too), and the
  subquery's own WHERE compares it, where DataFusion decorrelates it.

EXISTS and IN directly in a WHERE or HAVING condition are left alone: DataFusion plans
them as semi and anti joins. Unqualified outer columns are not recognised as outer
(they cannot be told apart from inner ones without the schema), so such subqueries
keep DataFusion's 0A000.
"""

from __future__ import annotations

from sqlglot import exp

from ..correlation import defined_names, is_outer, literal_limit, outer_names, plain, scope_of, take_correlations

ROW_COUNT_CHECK = "subquery_row_count_check"
"""UDF of a count: raises 21000 when a subquery used as an expression returned more than one row."""

_CORRELATION_COLUMN = "__correlation_{}"


def correlated_subqueries(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Subquery) and _is_scalar_position(node) and isinstance(node.this, exp.Select):
            return _scalar(node)
        if isinstance(node, exp.Exists) and not _in_condition(node) and isinstance(node.this, exp.Select):
            return _exists(node.this) or node
        if (
            isinstance(node, exp.In)
            and isinstance(node.args.get("query"), exp.Subquery)
            and isinstance(node.args["query"].this, exp.Select)
            and not _in_condition(node)
        ):
            return _in(node, node.args["query"].this) or node
        return node

    return tree.transform(rewrite, copy=False)


def _is_scalar_position(node: exp.Subquery) -> bool:
    """A subquery read as a value: not a FROM item, a set operand, IN's list or ANY's array."""
    parent = node.parent
    return not isinstance(parent, (exp.From, exp.Join, exp.Lateral, exp.SetOperation, exp.In, exp.Any, exp.All))


def _in_condition(node: exp.Expression) -> bool:
    """Whether a predicate is part of a WHERE or HAVING condition (through AND, OR, NOT)."""
    parent = node.parent
    while isinstance(parent, (exp.And, exp.Or, exp.Not, exp.Paren)):
        parent = parent.parent
    return isinstance(parent, (exp.Where, exp.Having))


def _scalar(node: exp.Subquery) -> exp.Expression:
    select = node.this
    outer = outer_names(select)
    if not outer or not plain(select) or len(select.expressions) != 1:
        return node
    _move_correlation_out_of_ctes(select, outer)
    value = _unaliased(select.expressions[0])
    limit = literal_limit(select)
    if limit == 1:
        order = select.args.get("order")
        aggregate = exp.FirstValue(this=exp.Order(this=value, expressions=order.expressions) if order else value)
        return _keeping_alias(node, exp.Subquery(this=_with_projection(select, aggregate)))
    if limit is None and not select.args.get("offset") and not select.args.get("distinct"):
        count = _with_projection(select, exp.Count(this=exp.Star()))
        first = _with_projection(select, exp.FirstValue(this=value))
        checked = exp.Anonymous(this=ROW_COUNT_CHECK, expressions=[exp.Subquery(this=count)])
        guarded = exp.Case(ifs=[exp.If(this=exp.GT(this=checked, expression=exp.Literal.number(1)), true=exp.Null())])
        return _keeping_alias(node, guarded.else_(exp.Subquery(this=first)))
    return node


def _keeping_alias(subquery: exp.Subquery, replacement: exp.Expression) -> exp.Expression:
    """The replacement of a subquery under the output name the column-naming rule gave it."""
    alias = subquery.args.get("alias")
    return exp.alias_(replacement, alias.this) if alias is not None else replacement


def _exists(select: exp.Select) -> exp.Expression | None:
    if all(
        isinstance(p, exp.Star) or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star))
        for p in select.expressions
    ):
        select = select.copy()  # what EXISTS (SELECT * ...) selects does not matter, only whether a row is there
        select.set("expressions", [exp.Literal.number(1)])
    if not plain(select) or select.args.get("offset"):
        return None
    if literal_limit(select) == 0:
        return exp.false()
    return exp.Paren(this=exp.GT(this=_count(select), expression=exp.Literal.number(0)))


def _in(in_node: exp.In, select: exp.Select) -> exp.Expression | None:
    if (
        not plain(select)
        or len(select.expressions) != 1
        or literal_limit(select) is not None
        or select.args.get("offset")
    ):
        return None
    value = _qualified_outside(in_node.this, in_node)
    if value is None:
        return None
    select = select.copy()
    for name in {c.table.lower() for c in value.find_all(exp.Column)} & defined_names(select):
        _rename_relation(select, name)
    element = _unaliased(select.expressions[0])
    matches = _count(select, exp.EQ(this=element.copy(), expression=value.copy()))
    nulls = _count(select, exp.Is(this=element.copy(), expression=exp.Null()))
    any_rows = _count(select)
    unknown = exp.or_(
        exp.GT(this=nulls, expression=exp.Literal.number(0)),
        exp.and_(
            exp.Is(this=value.copy(), expression=exp.Null()), exp.GT(this=any_rows, expression=exp.Literal.number(0))
        ),
    )
    return exp.Paren(
        this=exp.Case(
            ifs=[
                exp.If(this=exp.GT(this=matches, expression=exp.Literal.number(0)), true=exp.true()),
                exp.If(this=unknown, true=exp.Null()),
            ]
        ).else_(exp.false())
    )


def _qualified_outside(value: exp.Expression, node: exp.Expression) -> exp.Expression | None:
    """A copy of ``value`` whose columns name their relation, so that it can move into a subquery;
    None when an unqualified column could come from more than one relation."""
    value = value.copy()
    unqualified = [c for c in value.find_all(exp.Column) if not c.table]
    if unqualified:
        scope = scope_of(node)
        source = scope.args.get("from_") if scope is not None else None
        if source is None or scope.args.get("joins") or not source.this.alias_or_name:
            return None
        for column in unqualified:
            column.set("table", exp.to_identifier(source.this.alias_or_name))
    return value


def _rename_relation(select: exp.Select, name: str) -> None:
    """Gives a relation the subquery defines a private name, so an outer one of that name can be read in it."""
    private = f"__inner_{name}"
    for node in select.find_all(exp.Table, exp.Subquery):
        if node.alias_or_name.lower() == name and (node.alias or isinstance(node, exp.Table)):
            node.set("alias", exp.TableAlias(this=exp.to_identifier(private)))
    for column in select.find_all(exp.Column):
        if column.table.lower() == name:
            column.set("table", exp.to_identifier(private))


def _unaliased(projection: exp.Expression) -> exp.Expression:
    return projection.this if isinstance(projection, exp.Alias) else projection


def _with_projection(select: exp.Select, projection: exp.Expression) -> exp.Select:
    """The select's rows, reduced to one aggregate (ORDER BY, LIMIT and DISTINCT no longer apply)."""
    reduced = select.copy()
    for key in ("order", "limit", "distinct"):
        reduced.set(key, None)
    reduced.set("expressions", [projection.copy()])
    return reduced


def _count(select: exp.Select, condition: exp.Expression | None = None) -> exp.Subquery:
    counted = _with_projection(select, exp.Count(this=exp.Star()))
    if condition is not None:
        counted = counted.where(condition, copy=False)
    return exp.Subquery(this=counted)


def _move_correlation_out_of_ctes(select: exp.Select, outer: set[str]) -> None:
    """``WITH c AS (... WHERE inner = outer.x ...) SELECT ... FROM c`` -> the CTE returns ``inner``
    for every row and the select keeps those with ``c.inner = outer.x``."""
    with_ = select.args.get("with_")
    source = select.args.get("from_")
    if with_ is None or source is None or select.args.get("joins") or not isinstance(source.this, exp.Table):
        return
    reference = source.this
    for cte in with_.expressions:
        if cte.alias.lower() != reference.name.lower() or not is_outer(cte.this, outer):
            continue
        anchor, recursive = (
            (cte.this.this, cte.this.expression) if isinstance(cte.this, exp.Union) else (cte.this, None)
        )
        if not isinstance(anchor, exp.Select) or not plain(anchor) or (recursive and is_outer(recursive, outer)):
            return
        moved = take_correlations(anchor, outer)
        if moved is None:
            return
        reference_name = reference.alias_or_name
        columns = cte.args["alias"].columns if cte.args.get("alias") else []
        for number, (inner, outer_value) in enumerate(moved):
            name = _CORRELATION_COLUMN.format(number)
            anchor.append("expressions", exp.alias_(inner, name))
            if columns:
                cte.args["alias"].append("columns", exp.to_identifier(name))
            if recursive is not None:
                recursive.append("expressions", exp.column(name, table=_self_reference(recursive, cte.alias)))
            select.where(exp.EQ(this=exp.column(name, table=reference_name), expression=outer_value), copy=False)


def _self_reference(recursive: exp.Expression, name: str) -> str:
    for table in recursive.find_all(exp.Table):
        if table.name.lower() == name.lower():
            return table.alias_or_name
    return name
